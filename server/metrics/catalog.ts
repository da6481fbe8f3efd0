// Every KPI of DESIGN.md's table, declared once as data: labels, unit, direction and its formula
// over measures. Where each measure comes from (tables, SQL, which filters it can take) is in
// relations.ts, so the tables a KPI needs and the dimensions it can be split by are derived
// from there rather than written twice.
import type { BreakdownDimension, KpiDefinitionInfo, Unit } from './contract.ts';
import { BREAKDOWN_DIMENSIONS } from './contract.ts';
import { joinTables, measureRelation } from './relations.ts';
import type { TableName } from '../snapshots/schema.ts';

/**
 * value = (num − less) / den. Without `den` the value is the numerator itself. `empty` is the
 * reason given when the denominator is zero (or, without one, when the value does not exist).
 */
export interface Formula {
  num: string;
  less?: string;
  den?: string;
  empty?: string;
}

export interface KpiDefinition {
  id: string;
  label: { en: string; zh: string };
  description: { en: string; zh: string };
  unit: Unit;
  direction: KpiDefinitionInfo['direction'];
  formula: Formula;
}

const NO_ORDERS = 'no orders in this period';
const NO_BUYERS = 'no buyers in this period';
const NO_REVIEWS = 'no reviews in this period';
const NO_SHIPPED = 'no shipped orders in this period';
const NO_ANSWERS = 'no answered inquiries in this period';

const kpi = (
  id: string, unit: Unit, direction: KpiDefinition['direction'], formula: Formula,
  en: [string, string], zh: [string, string],
): KpiDefinition => ({ id, unit, direction, formula, label: { en: en[0], zh: zh[0] }, description: { en: en[1], zh: zh[1] } });

const UP = 'higher_is_better';
const DOWN = 'higher_is_worse';

export const KPIS: readonly KpiDefinition[] = [
  kpi('gmv', 'money', UP, { num: 'gmv' },
    ['GMV', 'Sum of the paid amount of valid orders'],
    ['成交总额', '有效订单实付金额之和']),
  kpi('net_revenue', 'money', UP, { num: 'gmv', less: 'refunds' },
    ['Net revenue', 'GMV less the approved refunds of those orders'],
    ['净收入', '成交总额减去这些订单已批准的退款']),
  kpi('orders', 'count', UP, { num: 'orders' },
    ['Orders', 'Number of valid orders (paid, not cancelled)'],
    ['订单数', '有效订单（已支付且未取消）的数量']),
  kpi('units', 'count', UP, { num: 'units' },
    ['Units sold', 'Sum of the quantities of the items of valid orders'],
    ['销售件数', '有效订单商品数量之和']),
  kpi('buyers', 'count', UP, { num: 'buyers' },
    ['Buyers', 'Distinct customers with a valid order'],
    ['购买人数', '有有效订单的不同客户数']),
  kpi('aov', 'money', UP, { num: 'gmv', den: 'orders', empty: NO_ORDERS },
    ['Average order value', 'GMV per valid order'],
    ['平均订单金额', '每笔有效订单的成交额']),
  kpi('revenue_per_buyer', 'money', UP, { num: 'gmv', den: 'buyers', empty: NO_BUYERS },
    ['Revenue per buyer', 'GMV per buyer'],
    ['客单价', '每位购买客户的成交额']),
  kpi('conversion_rate', 'percent', UP, { num: 'conversion_buyers', den: 'visitors', empty: 'no visitors in this period' },
    ['Conversion rate', 'Distinct buyers per platform-day over the visitors of the same platform-days'],
    ['转化率', '各平台每日不同购买人数之和除以同平台同日访客数之和']),
  kpi('repeat_purchase_rate', 'percent', UP, { num: 'repeat_buyers', den: 'buyers', empty: NO_BUYERS },
    ['Repeat purchase rate', 'Share of buyers with two or more valid orders in the period'],
    ['复购率', '期间内有两笔及以上有效订单的客户占购买人数的比例']),
  kpi('gross_margin', 'percent', UP, { num: 'margin_revenue', less: 'margin_cost', den: 'margin_revenue', empty: 'no sales of products with a unit cost in this period' },
    ['Gross margin', '(Sales − cost) ÷ sales over the items of valid orders whose product has a unit cost'],
    ['毛利率', '有效订单中有成本价商品的（销售额 − 成本）÷ 销售额']),
  kpi('avg_rating', 'rating', UP, { num: 'rating_sum', den: 'ratings', empty: NO_REVIEWS },
    ['Average rating', 'Mean rating of the reviews created in the period'],
    ['平均评分', '期间内新增评价的平均分']),
  kpi('negative_review_rate', 'percent', DOWN, { num: 'negative_ratings', den: 'ratings', empty: NO_REVIEWS },
    ['Negative review rate', 'Share of reviews rated 2 or lower'],
    ['差评率', '评分不高于 2 分的评价占比']),
  kpi('complaint_rate', 'permille', DOWN, { num: 'complaints', den: 'orders', empty: NO_ORDERS },
    ['Complaint rate', 'Complaints received in the period per valid order of the period'],
    ['投诉率', '期间内收到的投诉数除以期间内有效订单数']),
  kpi('refund_rate', 'percent', DOWN, { num: 'refunded_orders', den: 'orders', empty: NO_ORDERS },
    ['Refund rate', 'Share of valid orders with an approved refund'],
    ['退款率', '有已批准退款的有效订单占比']),
  kpi('late_shipment_rate', 'percent', DOWN, { num: 'late_orders', den: 'shipped_orders', empty: NO_SHIPPED },
    ['Late shipment rate', 'Share of shipped valid orders shipped after the promised date'],
    ['延迟发货率', '晚于承诺时间发货的已发货有效订单占比']),
  kpi('logistics_exception_rate', 'percent', DOWN, { num: 'exception_orders', den: 'shipped_orders', empty: NO_SHIPPED },
    ['Logistics exception rate', 'Share of shipped valid orders with at least one logistics event'],
    ['物流异常率', '至少有一次物流异常的已发货有效订单占比']),
  kpi('first_response_p50', 'seconds', DOWN, { num: 'response_p50', empty: NO_ANSWERS },
    ['First response time (median)', 'Median seconds from an inquiry to its first response'],
    ['首次响应时间（中位数）', '咨询到首次回复的秒数中位数']),
  kpi('first_response_p90', 'seconds', DOWN, { num: 'response_p90', empty: NO_ANSWERS },
    ['First response time (p90)', '90th percentile of the seconds from an inquiry to its first response'],
    ['首次响应时间（90 分位）', '咨询到首次回复秒数的第 90 百分位']),
  kpi('response_sla_breach_rate', 'percent', DOWN, { num: 'sla_breaches', den: 'answered', empty: NO_ANSWERS },
    ['Response SLA breach rate', 'Share of answered inquiries first answered after more than 60 seconds'],
    ['响应超时率', '首次回复超过 60 秒的咨询占比']),
  kpi('stockout_rate', 'percent', DOWN, { num: 'stockout_rows', den: 'stock_rows', empty: 'no inventory of active products in this period' },
    ['Stockout rate', 'Share of SKU-days of active products with nothing on hand'],
    ['缺货率', '在售商品中库存为零的 SKU·天占比']),
  kpi('price_violation_rate', 'percent', DOWN, { num: 'price_violations', den: 'priced_lines', empty: 'no order lines with a floor price in this period' },
    ['Price violation rate', 'Share of order lines sold below the lowest approved price'],
    ['价格违规率', '低于最低核准价格售出的订单行占比']),
  kpi('unapproved_promotion_orders', 'count', DOWN, { num: 'unapproved_orders' },
    ['Orders with unapproved promotions', 'Valid orders whose promotion is not approved'],
    ['未审批促销订单数', '所用促销未经审批的有效订单数']),
  kpi('market_share', 'percent', UP, { num: 'gmv', den: 'market_size', empty: 'no market size for this period' },
    ['Market share', 'GMV over the market size of the category-months in the range, pro-rated by days'],
    ['市场份额', '成交额除以期间所涉品类月份的市场规模（按天数折算）']),
  kpi('visitors', 'count', UP, { num: 'visitors' },
    ['Visitors', 'Visitors counted by the platforms'],
    ['访客数', '平台统计的访客数']),
  kpi('product_views', 'count', UP, { num: 'product_views' },
    ['Product views', 'Product page views counted by the platforms'],
    ['商品浏览量', '平台统计的商品页浏览量']),
  kpi('add_to_cart', 'count', UP, { num: 'add_to_cart' },
    ['Add-to-cart', 'Add-to-cart actions counted by the platforms'],
    ['加购数', '平台统计的加入购物车次数']),
];

const BY_ID = new Map(KPIS.map((k) => [k.id, k]));

export function kpiById(id: string): KpiDefinition | undefined {
  return BY_ID.get(id);
}

const RATE_UNITS: readonly Unit[] = ['percent', 'permille'];

export function isRate(kpi: KpiDefinition): boolean {
  return RATE_UNITS.includes(kpi.unit);
}

export function kpiMeasures(kpi: KpiDefinition): string[] {
  const { num, less, den } = kpi.formula;
  return [...new Set([num, less, den].filter((m): m is string => m !== undefined))];
}

/** Category and product are attributed line by line; every other dimension reads the fact as a whole. */
export function isLineDimension(dim: BreakdownDimension | undefined): boolean {
  return dim === 'category' || dim === 'product';
}

/** Whether every measure of the KPI can be read with `dim` as a filter or split. */
function supports(kpi: KpiDefinition, dim: BreakdownDimension): boolean {
  return kpiMeasures(kpi).every((m) => dim in measureRelation(m, isLineDimension(dim)).dims);
}

/** Tables a KPI reads with no filter set. */
function kpiTables(kpi: KpiDefinition): TableName[] {
  const tables = kpiMeasures(kpi).flatMap((m) => {
    const relation = measureRelation(m, false);
    return [...relation.tables, ...joinTables(relation, relation.measures[m].joins ?? [])];
  });
  return [...new Set(tables)];
}

export function definitionInfo(kpi: KpiDefinition): KpiDefinitionInfo {
  return {
    id: kpi.id,
    label: kpi.label,
    description: kpi.description,
    unit: kpi.unit,
    direction: kpi.direction,
    tables: kpiTables(kpi),
    isRate: isRate(kpi),
    breakdowns: BREAKDOWN_DIMENSIONS.filter((d) => supports(kpi, d)),
  };
}

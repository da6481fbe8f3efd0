// What each staff figure means, in English and Chinese, for the detail page and the CLI.
import { ATTRIBUTION_DAYS, SLA_SECONDS, type FigureDefinition, type StaffRole } from './contract.ts';

const VALID_EN = 'valid orders (paid, not cancelled)';
const VALID_ZH = '有效订单（已付款且未取消）';

export const SALES_DEFINITIONS: FigureDefinition[] = [
  {
    id: 'revenue', unit: 'money',
    label: { en: 'Revenue', zh: '销售额' },
    definition: {
      en: `Sum of paid_amount of the ${VALID_EN} handled by this person (salesperson_id), placed in the period (ordered_at).`,
      zh: `本人经手（salesperson_id）且下单时间（ordered_at）在本期内的${VALID_ZH}实付金额之和。`,
    },
  },
  {
    id: 'gross_profit', unit: 'money',
    label: { en: 'Gross profit', zh: '毛利' },
    definition: {
      en: 'Sum of quantity × (unit_price − unit_cost) over the lines of those orders; lines whose product has no unit cost are left out.',
      zh: '上述订单各明细行 数量 ×（成交单价 − 单位成本）之和；商品无成本的明细行不计入。',
    },
  },
  {
    id: 'orders', unit: 'count',
    label: { en: 'Orders', zh: '订单数' },
    definition: { en: `Number of ${VALID_EN} handled by this person, placed in the period.`, zh: `本人经手、本期下单的${VALID_ZH}数量。` },
  },
  {
    id: 'new_customers', unit: 'count',
    label: { en: 'New customers', zh: '新客户数' },
    definition: {
      en: "Customers whose first valid order ever (earliest ordered_at in the snapshot) was handled by this person and placed in the period.",
      zh: '首个有效订单（快照中最早下单时间）由本人经手且在本期内下单的客户数。',
    },
  },
  {
    id: 'avg_rating', unit: 'rating',
    label: { en: 'Average rating', zh: '平均评分' },
    definition: {
      en: 'Mean rating (1–5) of the reviews created in the period on valid orders handled by this person, whenever the order was placed; none when there is no such review.',
      zh: '本期内创建、针对本人经手有效订单（不论下单时间）的评价的平均评分（1–5）；无评价时为空。',
    },
  },
  {
    id: 'ratings', unit: 'count',
    label: { en: 'Ratings', zh: '评价数' },
    definition: { en: 'Number of the reviews behind the average rating.', zh: '平均评分所依据的评价条数。' },
  },
  {
    id: 'complaints', unit: 'count',
    label: { en: 'Complaints', zh: '投诉数' },
    definition: {
      en: 'Complaints received in the period on valid orders handled by this person, whenever the order was placed.',
      zh: '本期内收到的、针对本人经手有效订单（不论下单时间）的投诉数。',
    },
  },
];

export const SERVICE_DEFINITIONS: FigureDefinition[] = [
  {
    id: 'inquiries', unit: 'count',
    label: { en: 'Inquiries handled', zh: '接待咨询数' },
    definition: { en: 'Inquiries assigned to this agent (agent_id) received in the period.', zh: '本期内收到、由本人接待（agent_id）的咨询数。' },
  },
  {
    id: 'responded', unit: 'count',
    label: { en: 'Inquiries answered', zh: '已响应咨询数' },
    definition: { en: 'Those inquiries that have a first response; the sample of the response-time figures.', zh: '其中有首次响应的咨询数，即响应时长指标的样本。' },
  },
  {
    id: 'first_response_p50', unit: 'seconds',
    label: { en: 'First response p50', zh: '首次响应时长中位数' },
    definition: {
      en: 'Median of the seconds from received_at to first_response_at over answered inquiries (continuous quantile, linear interpolation).',
      zh: '已响应咨询从收到到首次响应的秒数的中位数（连续分位数，线性插值）。',
    },
  },
  {
    id: 'first_response_p90', unit: 'seconds',
    label: { en: 'First response p90', zh: '首次响应时长 P90' },
    definition: { en: 'The 90th percentile of the same seconds (continuous quantile).', zh: '同一秒数的第 90 百分位数（连续分位数）。' },
  },
  {
    id: 'sla_breaches', unit: 'count',
    label: { en: 'SLA breaches', zh: '超时响应数' },
    definition: { en: `Answered inquiries whose first response took more than ${SLA_SECONDS} seconds.`, zh: `首次响应超过 ${SLA_SECONDS} 秒的已响应咨询数。` },
  },
  {
    id: 'sla_breach_rate', unit: 'percent',
    label: { en: 'SLA breach rate', zh: '响应超时率' },
    definition: { en: 'SLA breaches ÷ answered inquiries.', zh: '超时响应数 ÷ 已响应咨询数。' },
  },
  {
    id: 'complaints_resolved', unit: 'count',
    label: { en: 'Complaints resolved', zh: '处理投诉数' },
    definition: {
      en: `The complaints table names no handler, so a complaint resolved in the period (resolved_at) is attributed to the agent of the latest inquiry from the same customer received within ${ATTRIBUTION_DAYS} days before the resolution. Complaints with no such inquiry are attributed to nobody; the page shows how many were attributable.`,
      zh: `投诉表没有记录处理人，因此本期内解决（resolved_at）的投诉归属于：同一客户在解决前 ${ATTRIBUTION_DAYS} 天内最近一次咨询的接待客服。没有此类咨询的投诉不归属任何人；页面显示可归属的比例。`,
    },
  },
  {
    id: 'avg_satisfaction', unit: 'rating',
    label: { en: 'Satisfaction after resolution', zh: '投诉解决后满意度' },
    definition: {
      en: 'Mean satisfaction (1–5) of the complaints attributed to this agent that carry a score; none when there is none.',
      zh: '归属本人且有满意度评分的投诉的平均满意度（1–5）；无评分时为空。',
    },
  },
  {
    id: 'satisfaction_responses', unit: 'count',
    label: { en: 'Satisfaction scores', zh: '满意度评分数' },
    definition: { en: 'Number of the scores behind the average satisfaction.', zh: '平均满意度所依据的评分条数。' },
  },
];

export function definitionsFor(role: StaffRole): FigureDefinition[] {
  return role === 'sales' ? SALES_DEFINITIONS : SERVICE_DEFINITIONS;
}

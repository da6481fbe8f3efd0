// The built-in risk library seeded on first start (seed.ts): one risk per category and the 14
// indicators of issue 5, each linked to the risk it measures. Thresholds were tuned with the
// backtest (backtest.ts) on generated samples of 50k, 200k and 1M orders: every planted incident
// of incidents.json raises an alert in its window and normal periods stay quiet. Rates are
// fractions (0.02 = 2 %), changes relative (-0.4 = 40 % down).
import { IndicatorInput, type Category, type Response, type RiskStatus } from './contract.ts';

export interface BuiltinRisk {
  id: string;
  title: string;
  description: string;
  category: Category;
  inherentLikelihood: number;
  inherentImpact: number;
  residualLikelihood: number;
  residualImpact: number;
  response: Response;
  status: RiskStatus;
}

type Position = [likelihood: number, impact: number];

const risk = (
  id: string, category: Category, status: RiskStatus, response: Response, [inherentLikelihood, inherentImpact]: Position, [residualLikelihood, residualImpact]: Position,
  title: string, description: string,
): BuiltinRisk => ({ id, category, status, response, inherentLikelihood, inherentImpact, residualLikelihood, residualImpact, title, description });

// Residual positions assume the indicators below are watched: early warning lowers likelihood
// more than impact.
export const BUILTIN_RISKS: readonly BuiltinRisk[] = [
  risk('R-001', 'market', 'monitoring', 'reduce', [3, 4], [2, 4], 'Loss of sales momentum and market share',
    'Demand shifts to competitors or a channel stops converting its traffic: GMV, conversion and share of the category markets fall faster than seasonality explains.'),
  risk('R-002', 'legal', 'assessed', 'avoid', [2, 5], [1, 5], 'Pricing and promotion compliance breach',
    'Items sold below the brand-approved floor price or under promotions nobody approved breach distributor agreements and platform rules (price-law exposure, delisting).'),
  risk('R-003', 'credit', 'monitoring', 'transfer', [3, 3], [2, 2], 'Refund and payment-reversal exposure',
    'A rising share of refunded orders erodes net revenue and ties up cash with the platforms that hold settlements.'),
  risk('R-004', 'technical', 'monitoring', 'reduce', [3, 3], [2, 3], 'Stale or incomplete analytics data',
    'Exports stop arriving or arrive with many rejected rows, so every KPI and alert silently works on old or partial data.'),
  risk('R-005', 'operational', 'monitoring', 'reduce', [4, 3], [3, 3], 'Fulfilment and stock failure',
    'A carrier backlog, logistics exceptions or a best-seller running out of stock delay orders and lose sales.'),
  risk('R-006', 'operational', 'monitoring', 'reduce', [3, 4], [2, 3], 'Product quality and customer-service failure',
    'A faulty batch or an overloaded service desk shows up as complaints, negative reviews and slow first responses.'),
];

const RECIPIENTS = ['risk-team@example.com'];
const DAILY = '0 7 * * *';
const HOURLY = '0 * * * *';

type Spec = Omit<IndicatorInput, 'owner' | 'recipients' | 'schedule' | 'description' | 'source' | 'kpi' | 'queryId' | 'filters' | 'splitBy' | 'compare' | 'minSample' | 'consecutive' | 'statRule' | 'renotifyHours' | 'snoozedUntil' | 'enabled'>
  & Partial<Pick<IndicatorInput, 'description' | 'source' | 'kpi' | 'splitBy' | 'compare' | 'minSample' | 'consecutive' | 'statRule' | 'schedule'>>;

const SPECS: readonly Spec[] = [
  // A faulty batch multiplies one platform's complaints (~7 ‰ of orders normally, ×6 in an
  // incident); Wilson keeps the small platforms' 1-complaint weeks quiet.
  {
    id: 'complaint_rate', name: 'Complaint rate', riskId: 'R-006', kpi: 'complaint_rate', splitBy: 'platform',
    windowDays: 10, direction: 'higher_is_worse', warning: 0.018, critical: 0.03, clear: 0.012, minSample: 100, statRule: 'wilson',
    description: 'Complaints received per valid order over the last 10 days, per platform.',
  },
  {
    id: 'refund_rate', name: 'Refund rate', riskId: 'R-003', kpi: 'refund_rate',
    windowDays: 7, direction: 'higher_is_worse', warning: 0.07, critical: 0.1, clear: 0.05, minSample: 300, statRule: 'wilson',
    description: 'Share of the last 7 days\u2019 valid orders with an approved refund.',
  },
  {
    id: 'late_shipment_rate', name: 'Late-shipment rate', riskId: 'R-005', kpi: 'late_shipment_rate', splitBy: 'carrier',
    windowDays: 7, direction: 'higher_is_worse', warning: 0.15, critical: 0.3, clear: 0.08, minSample: 50, statRule: 'wilson',
    description: 'Share of shipped orders of the last 7 days shipped after the promised date, per carrier.',
  },
  {
    id: 'logistics_exception_rate', name: 'Logistics-exception rate', riskId: 'R-005', kpi: 'logistics_exception_rate',
    windowDays: 7, direction: 'higher_is_worse', warning: 0.05, critical: 0.1, clear: 0.035, minSample: 300, statRule: 'wilson',
    description: 'Share of shipped orders of the last 7 days with a logistics exception.',
  },
  {
    id: 'negative_review_rate', name: 'Negative-review rate', riskId: 'R-006', kpi: 'negative_review_rate',
    windowDays: 7, direction: 'higher_is_worse', warning: 0.1, critical: 0.15, clear: 0.07, minSample: 100, statRule: 'wilson',
    description: 'Share of the last 7 days\u2019 reviews rated 2 or lower.',
  },
  {
    id: 'response_sla_breach_rate', name: 'Response-SLA breach rate', riskId: 'R-006', kpi: 'response_sla_breach_rate',
    windowDays: 7, direction: 'higher_is_worse', warning: 0.15, critical: 0.25, clear: 0.1, minSample: 50, statRule: 'wilson',
    description: 'Share of the last 7 days\u2019 answered inquiries first answered after more than 60 seconds.',
  },
  // Stock-outs are per SKU-day, so a product's value is the share of its last 10 days out of
  // stock. Short outages of a few days happen to many SKUs; 8 of 10 days out is an incident.
  {
    id: 'stockout_rate', name: 'Stockout rate', riskId: 'R-005', kpi: 'stockout_rate', splitBy: 'product',
    windowDays: 10, direction: 'higher_is_worse', warning: 0.8, critical: 0.9, clear: 0.5, minSample: 5,
    description: 'Share of the last 10 days each active product had nothing on hand.',
  },
  {
    id: 'price_violation_rate', name: 'Price-violation rate', riskId: 'R-002', kpi: 'price_violation_rate', splitBy: 'platform',
    windowDays: 7, direction: 'higher_is_worse', warning: 0.05, critical: 0.15, clear: 0.02, minSample: 50, statRule: 'wilson',
    description: 'Share of the last 7 days\u2019 order lines sold below the floor price, per platform.',
  },
  {
    id: 'unapproved_promotion_orders', name: 'Unapproved-promotion orders', riskId: 'R-002', kpi: 'unapproved_promotion_orders',
    windowDays: 7, direction: 'higher_is_worse', warning: 5, critical: 25, clear: 1,
    description: 'Valid orders of the last 7 days that used a promotion nobody approved.',
  },
  // Changes compare 28 days with the 28 days before; festivals (618, 11.11) swing GMV and share
  // by up to ~±50 %, so only a larger fall alerts.
  {
    id: 'market_share_change', name: 'Market-share change', riskId: 'R-001', kpi: 'market_share', compare: 'previous',
    windowDays: 28, direction: 'lower_is_worse', warning: -0.5, critical: -0.65, clear: -0.25,
    description: 'Relative change of the market share of the last 28 days against the 28 days before.',
  },
  {
    id: 'gmv_drop', name: 'GMV drop vs previous period', riskId: 'R-001', kpi: 'gmv', compare: 'previous',
    windowDays: 28, direction: 'lower_is_worse', warning: -0.55, critical: -0.7, clear: -0.3,
    description: 'Relative change of the GMV of the last 28 days against the 28 days before.',
  },
  // Against the same week a year earlier rather than the week before: a drop that lasts longer
  // than the window would otherwise become its own baseline and read as a recovery.
  {
    id: 'conversion_drop', name: 'Conversion-rate drop', riskId: 'R-001', kpi: 'conversion_rate', compare: 'yoy', splitBy: 'platform',
    windowDays: 7, direction: 'lower_is_worse', warning: -0.25, critical: -0.4, clear: -0.12, minSample: 1000,
    description: 'Relative change of each platform\u2019s conversion rate over the last 7 days against the same 7 days a year earlier (minimum 1,000 visitors in that week).',
  },
  {
    id: 'data_freshness', name: 'Data freshness', riskId: 'R-004', source: 'freshness', schedule: HOURLY,
    windowDays: 1, direction: 'higher_is_worse', warning: 36, critical: 72, clear: 30,
    description: 'Hours since the newest snapshot was published; exports are expected daily.',
  },
  {
    id: 'ingest_rejection_rate', name: 'Ingest rejection rate', riskId: 'R-004', source: 'ingest_rejection',
    windowDays: 1, direction: 'higher_is_worse', warning: 0.02, critical: 0.05, clear: 0.01,
    description: 'Rows rejected by the newest snapshot\u2019s ingest, as a share of the rows read.',
  },
];

/** The built-in indicators owned by `owner`, validated (and defaults filled) by the contract's schema. */
export function builtinIndicators(owner: string): IndicatorInput[] {
  return SPECS.map((spec) => IndicatorInput.parse({ schedule: DAILY, ...spec, owner, recipients: RECIPIENTS }));
}

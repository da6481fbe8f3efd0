// Everything the SQL of one generation run depends on, derived once from the options.
import { addDays, addMonths, daysBetween, periodStart } from './calendar.ts';
import { INCIDENT_HORIZON_DAYS, planIncidents, type IncidentPlan } from './incidents.ts';
import { promotionCalendar, type PromotionSpec } from './promotions.ts';

export interface GenContext {
  seed: number;
  orders: number;
  /** first and last day of the period, YYYY-MM-DD */
  start: string;
  end: string;
  /** days in the period */
  days: number;
  /** calendar months the period touches; customers arrive in monthly cohorts */
  calendarMonths: number;
  customers: number;
  plan: IncidentPlan;
  promotions: PromotionSpec[];
}

/** Customers in the sample per order: enough for a long tail of one-time buyers. */
const CUSTOMERS_PER_ORDER = 0.55;

const MIN_MONTHS = Math.ceil(INCIDENT_HORIZON_DAYS / 28) + 1;
const MAX_MONTHS = 120;

export function createContext(opts: { orders: number; months: number; end: string; seed: number }): GenContext {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.end) || Number.isNaN(Date.parse(opts.end)) || addDays(opts.end, 0) !== opts.end) {
    throw new Error(`end must be a date YYYY-MM-DD, got "${opts.end}"`);
  }
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) throw new Error(`seed must be a non-negative integer, got ${opts.seed}`);
  if (!Number.isInteger(opts.orders) || opts.orders < 1000) throw new Error(`orders must be an integer ≥ 1000, got ${opts.orders}`);
  if (!Number.isInteger(opts.months) || opts.months < MIN_MONTHS || opts.months > MAX_MONTHS) {
    throw new Error(`months must be an integer from ${MIN_MONTHS} (the planted incidents need that much history) to ${MAX_MONTHS}, got ${opts.months}`);
  }
  const start = periodStart(opts.end, opts.months);
  const plan = planIncidents(opts.end);
  let calendarMonths = 0;
  while (addMonths(`${start.slice(0, 7)}-01`, calendarMonths) <= opts.end) calendarMonths++;
  return {
    seed: opts.seed,
    orders: opts.orders,
    start,
    end: opts.end,
    days: daysBetween(start, opts.end) + 1,
    calendarMonths,
    customers: Math.max(100, Math.round(opts.orders * CUSTOMERS_PER_ORDER)),
    plan,
    promotions: promotionCalendar(start, opts.end, plan),
  };
}

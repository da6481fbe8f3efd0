// Customers arrive in monthly cohorts (cohort 0 is the base that existed before the period), each
// on one platform. An order picks a cohort that has already arrived, then a customer of that
// cohort and platform from a skewed distribution: most buy once or twice, a few buy very often.
// Everything about a customer is a function of its index, so orders compute the customer's id and
// region without a join.
import type { GenContext } from './context.ts';
import { DISTRICTS, PROVINCES, STREETS } from './geo.ts';
import { personNameSql } from './people.ts';
import { PLATFORMS, shareSql, shareTotalSql } from './platforms.ts';
import { caseOf, date, element, endOfDay, num, pickStr, str, strList } from './sqlText.ts';

/** The pre-existing customer base, in months' worth of newly arriving customers. */
export const BASE_COHORT_MONTHS = 6;

/**
 * Buying propensity at position x ∈ [0, 1) of a group falls as (x + ε)^-a: with these values the
 * top customer buys ~25× the average and the bottom third mostly once or never.
 */
const SKEW_A = 0.75;
const SKEW_EPS = 3e-3;
/** a prime above any group size: multiplying by it modulo n permutes 0..n-1 */
const SCATTER_PRIME = 2147483647;

/** Position (0..n-1) in its group of the customer an order goes to, from a uniform draw `u`. */
export function customerPosition(u: string, n: string): string {
  // inverse of the cumulative propensity (x + ε)^(1-a), normalised to [0, 1)
  const b = 1 - SKEW_A;
  const lo = SKEW_EPS ** b;
  const hi = (1 + SKEW_EPS) ** b;
  const x = `greatest(0, pow(${num(lo)} + ${u} * ${num(hi - lo)}, ${num(1 / b)}) - ${num(SKEW_EPS)})`;
  // the permutation spreads heavy buyers over the group instead of heaping them on its first ids
  return `(least(${n} - 1, floor(${n} * ${x})::BIGINT) * ${SCATTER_PRIME} % ${n})`;
}

export function customerIdSql(idx: string): string {
  return `'C' || lpad((${idx} + 1)::VARCHAR, 8, '0')`;
}

/** The customer's province, from `u` = rnd(customer_idx, 'region'). */
export function regionSql(u: string): string {
  return pickStr(u, PROVINCES.map((p) => [p.name, p.weight] as const));
}

export function customerPoolSql(ctx: GenContext): string[] {
  const perCohort = Math.ceil(ctx.customers / (BASE_COHORT_MONTHS + ctx.calendarMonths));
  const provinces = PROVINCES.map((p) => `(${str(p.name)}, ${strList(p.cities)})`);
  const share = `${caseOf('p.platform_id', PLATFORMS.map((p) => [p.id, shareSql(p, 'c.share_t')] as const))} / ${shareTotalSql('c.share_t')}`;
  return [
    `CREATE TABLE g_provinces AS SELECT * FROM (VALUES ${provinces.join(', ')}) AS v(region, cities)`,
    `CREATE TABLE g_cust_groups AS
      WITH cohorts AS (
        SELECT c AS cohort, CASE WHEN c = 0 THEN ${BASE_COHORT_MONTHS * perCohort} ELSE ${perCohort} END AS size,
          greatest(c - 1, 0) / ${ctx.calendarMonths} AS share_t
        FROM range(0, ${ctx.calendarMonths + 1}) AS r(c)
      ), sized AS (
        SELECT c.cohort, p.platform_id, p.ord, greatest(1, round(c.size * ${share}))::BIGINT AS n
        FROM cohorts c CROSS JOIN platforms p
      )
      SELECT *, SUM(n) OVER (ORDER BY cohort, ord) - n AS first_idx FROM sized`,
    `CREATE TABLE g_customers AS
      WITH members AS (
        SELECT cohort, platform_id, first_idx + unnest(range(n)) AS customer_idx FROM g_cust_groups
      ), drawn AS (
        SELECT *, rnd(customer_idx, 'region') AS u_region, rnd(customer_idx, 'arrival') AS u_arrival FROM members
      ), placed AS (
        SELECT *, ${regionSql('u_region')} AS region FROM drawn
      )
      SELECT customer_idx, cohort, platform_id, ${customerIdSql('customer_idx')} AS customer_id,
        least(${endOfDay(ctx.end)}, CASE WHEN cohort = 0
          THEN ${date(ctx.start)} - secs(u_arrival * 720 * 86400)
          ELSE date_trunc('month', ${date(ctx.start)}) + to_months(cohort - 1) + secs(u_arrival * 30 * 86400) END) AS arrived_at,
        region,
        ${element('g.cities', 'rnd(customer_idx, \'city\')')} AS city,
        ${personNameSql('customer_idx', 'customer')} AS name,
        '1' || ${element(strList(['3', '5', '7', '8', '9']), 'rnd(customer_idx, \'phone_prefix\')')}
          || lpad(floor(rnd(customer_idx, 'phone') * 1000000000)::BIGINT::VARCHAR, 9, '0') AS phone,
        CASE WHEN region = city THEN city ELSE region || city END
          || ${element(strList(DISTRICTS), 'rnd(customer_idx, \'district\')')}
          || ${element(strList(STREETS), 'rnd(customer_idx, \'street\')')}
          || (1 + floor(rnd(customer_idx, 'number') * 300))::INTEGER || '号'
          || (1 + floor(rnd(customer_idx, 'building') * 30))::INTEGER || '栋'
          || ((1 + floor(rnd(customer_idx, 'floor') * 30)) * 100 + 1 + floor(rnd(customer_idx, 'room') * 4))::INTEGER || '室' AS address
      FROM placed JOIN g_provinces g USING (region)`,
  ];
}

/**
 * first_seen_at is the arrival, or shortly before the first order if that came earlier. The member
 * tier follows what the customer spent, give or take, as loyalty programmes grade it.
 */
export function customersSql(): string[] {
  return [
    `CREATE TABLE customers AS
    WITH bought AS (
      SELECT customer_idx, min(ordered_at) AS first_order_at,
        SUM(paid_amount) FILTER (WHERE paid_at IS NOT NULL AND status <> 'cancelled') AS spend
      FROM orders GROUP BY customer_idx
    ), graded AS (
      SELECT c.*, b.first_order_at, coalesce(b.spend, 0) * (0.8 + 0.45 * rnd(c.customer_idx, 'tier')) AS tier_spend
      FROM g_customers c LEFT JOIN bought b USING (customer_idx)
    )
    SELECT *,
      least(arrived_at, first_order_at - secs(60 + rnd(customer_idx, 'seen') * 3 * 86400)) AS first_seen_at,
      CASE WHEN tier_spend < 300 THEN 'none' WHEN tier_spend < 1500 THEN 'silver' WHEN tier_spend < 5000 THEN 'gold'
           WHEN tier_spend < 15000 THEN 'platinum' ELSE 'diamond' END AS member_tier
    FROM graded`,
    'DROP TABLE g_customers',
  ];
}

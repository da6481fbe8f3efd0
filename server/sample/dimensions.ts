// The small tables every fact refers to: platforms, promotions, staff and products. Columns beyond
// the canonical ones (ord, member_idx, pop_lo, ...) are the generator's own and are not written.
import { CATEGORIES, EDITIONS, SERIES, SKU_COUNT } from './catalog.ts';
import type { GenContext } from './context.ts';
import { personNameSql } from './people.ts';
import { PLATFORMS } from './platforms.ts';
import { date, element, endOfDay, num, pickStr, str, strList } from './sqlText.ts';

export const SALES_PER_PLATFORM = 6;
export const SERVICE_PER_TEAM = 10;
const SERVICE_TEAMS = [
  { unit: 'pre_sale', name: '售前客服组' },
  { unit: 'after_sale', name: '售后客服组' },
] as const;

export function platformsSql(): string[] {
  const rows = PLATFORMS.map((p, i) =>
    `(${str(p.id)}, ${str(p.name)}, ${str(p.kind)}, ${num(p.commissionRate)}, ${i}, ${num(p.conversion)}, ${num(p.promiseHours)}, ${num(p.freeShippingFrom)}, ${num(p.shippingFee)}, ${str(p.team)})`);
  return [`CREATE TABLE platforms AS
    SELECT platform_id, name, kind, commission_rate::DECIMAL(6,4) AS commission_rate, ord, conversion, promise_hours,
      free_shipping_from::DECIMAL(18,2) AS free_shipping_from, shipping_fee::DECIMAL(18,2) AS shipping_fee, team
    FROM (VALUES ${rows.join(', ')})
      AS v(platform_id, name, kind, commission_rate, ord, conversion, promise_hours, free_shipping_from, shipping_fee, team)`];
}

export function promotionsSql(ctx: GenContext): string[] {
  const rows = ctx.promotions.map((p) =>
    `(${str(p.id)}, ${str(p.name)}, ${str(p.kind)}, ${date(p.start)}::TIMESTAMP, ${endOfDay(p.end)}, ${p.approved}, ${num(p.uptake)}, ${p.priority})`);
  return [`CREATE TABLE promotions AS SELECT * FROM (VALUES ${rows.join(', ')})
    AS v(promotion_id, name, kind, starts_at, ends_at, approved, uptake, priority)`];
}

/**
 * One sales team per platform and two service teams. Member 0 of each team is its lead, employed
 * throughout; others may join during the period or leave it, and their work passes to the lead.
 */
export function staffSql(ctx: GenContext): string[] {
  const sales = PLATFORMS.length * SALES_PER_PLATFORM;
  const total = sales + SERVICE_TEAMS.length * SERVICE_PER_TEAM;
  const units = strList([...PLATFORMS.map((p) => p.id), ...SERVICE_TEAMS.map((t) => t.unit)]);
  const teams = strList([...PLATFORMS.map((p) => p.team), ...SERVICE_TEAMS.map((t) => t.name)]);
  const start = date(ctx.start);
  return [`CREATE TABLE staff AS
    WITH members AS (
      SELECT n,
        CASE WHEN n < ${sales} THEN 'sales' ELSE 'service' END AS role,
        CASE WHEN n < ${sales} THEN n // ${SALES_PER_PLATFORM} ELSE ${PLATFORMS.length} + (n - ${sales}) // ${SERVICE_PER_TEAM} END AS team_no,
        CASE WHEN n < ${sales} THEN n % ${SALES_PER_PLATFORM} ELSE (n - ${sales}) % ${SERVICE_PER_TEAM} END AS member_idx
      FROM range(${total}) AS r(n)
    ), hired AS (
      SELECT *,
        CASE WHEN member_idx = 0 THEN ${start} - (400 + floor(rnd(n, 'hire') * 1100))::INTEGER
             WHEN rnd(n, 'new_hire') < 0.15 THEN ${start} + floor(rnd(n, 'hire') * ${Math.floor(ctx.days * 0.7)})::INTEGER
             ELSE ${start} - (30 + floor(rnd(n, 'hire') * 1200))::INTEGER END AS hired_on
      FROM members
    )
    SELECT 'E' || lpad((n + 1)::VARCHAR, 3, '0') AS staff_id, ${personNameSql('n', 'staff')} AS name, role,
      list_extract(${teams}, team_no + 1) AS team, list_extract(${units}, team_no + 1) AS unit, member_idx, hired_on,
      CASE WHEN member_idx > 0 AND rnd(n, 'leave') < 0.12 THEN
        greatest(hired_on, ${start}) + (60 + floor(rnd(n, 'left') * ${ctx.days}))::INTEGER END AS left_candidate,
      CASE WHEN left_candidate < ${date(ctx.end)} - 30 THEN left_candidate END AS left_on
    FROM hired`];
}

/**
 * ~600 SKUs. Popularity is Zipf-like over a random ranking; pop_lo is the cumulative weight before
 * each SKU, so a uniform draw times pop_total picks a SKU by popularity (ASOF join).
 * Core SKUs (on sale the whole period) stand in when a draw hits a SKU not on sale that day.
 */
export function productsSql(ctx: GenContext): string[] {
  const categories = CATEGORIES.map((c, i) => `(${str(c.id)}, ${i}, ${num(c.price[0])}, ${num(c.price[1])}, ${strList(c.nouns)})`);
  const start = date(ctx.start);
  const categoryPick = pickStr('rnd(k, \'category\')', CATEGORIES.map((c) => [c.id, c.weight] as const));
  return [
    `CREATE TABLE g_categories AS SELECT * FROM (VALUES ${categories.join(', ')}) AS v(category, cat_no, price_lo, price_hi, nouns)`,
    `CREATE TABLE products AS
    WITH base AS (
      SELECT k, 'SKU' || lpad((k + 1)::VARCHAR, 5, '0') AS sku, ${categoryPick} AS category FROM range(${SKU_COUNT}) AS r(k)
    ), priced AS (
      SELECT b.*, c.nouns,
        (ceil(c.price_lo * pow(c.price_hi / c.price_lo, rnd(k, 'price')) / 10) * 10 - 0.1)::DECIMAL(18,2) AS list_price,
        CASE WHEN rnd(k, 'new') < 0.85 THEN ${start} - (30 + floor(rnd(k, 'launch') * 1500))::INTEGER
             ELSE ${start} + floor(rnd(k, 'launch') * ${ctx.days - 30})::INTEGER END AS launched_on
      FROM base b JOIN g_categories c USING (category)
    ), lived AS (
      SELECT *,
        CASE WHEN launched_on < ${start} AND rnd(k, 'retire') < 0.06
          THEN ${start} + (60 + floor(rnd(k, 'retired_on') * ${ctx.days - 120}))::INTEGER END AS retired_on,
        row_number() OVER (ORDER BY rnd(k, 'popularity'), k) AS pop_rank
      FROM priced
    ), weighted AS (
      SELECT *, round(1000000 / pow(pop_rank + 4, 1.05))::BIGINT AS pop_weight,
        launched_on < ${start} AND retired_on IS NULL AS core
      FROM lived
    )
    SELECT k, sku,
      ${element(strList(SERIES), 'rnd(k, \'series\')')} || ${element('nouns', 'rnd(k, \'noun\')')} || ${element(strList(EDITIONS), 'rnd(k, \'edition\')')} AS name,
      category,
      round(list_price * (0.28 + 0.2 * rnd(k, 'cost')), 2)::DECIMAL(18,2) AS unit_cost,
      list_price,
      round(list_price * (0.72 + 0.1 * rnd(k, 'floor')), 2)::DECIMAL(18,2) AS floor_price,
      launched_on, retired_on,
      CASE WHEN retired_on IS NULL THEN 'active' ELSE 'discontinued' END AS status,
      SUM(pop_weight) OVER (ORDER BY k) - pop_weight AS pop_lo,
      SUM(pop_weight) OVER () AS pop_total,
      CASE WHEN core THEN row_number() OVER (PARTITION BY core ORDER BY k) - 1 END AS core_idx
    FROM weighted`,
  ];
}

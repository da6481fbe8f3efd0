// Customer-service inquiries: before a purchase (pre-sale team) or after it (after-sale team).
// Each inquiry hangs off a random order, so inquiry volume follows order volume.
import type { GenContext } from './context.ts';
import { SERVICE_PER_TEAM } from './dimensions.ts';
import { date, endOfDay, pickStr } from './sqlText.ts';

const INQUIRIES_PER_ORDER = 0.065;
/** median first response, seconds; the lognormal tail puts ~5 % above a 60 s SLA */
const MEDIAN_RESPONSE_S = 15;

export function inquiriesSql(ctx: GenContext): string[] {
  const endTs = endOfDay(ctx.end);
  const count = Math.round(ctx.orders * INQUIRIES_PER_ORDER);
  return [`CREATE TABLE inquiries AS
    WITH asked AS (
      SELECT q, floor(rnd(q, 'inquiry_order') * ${ctx.orders})::BIGINT AS oi, rnd(q, 'inquiry_stage') < 0.45 AS pre_sale
      FROM range(${count}) AS r(q)
    ), placed AS (
      SELECT a.q, a.pre_sale, o.platform_id,
        CASE WHEN rnd(a.q, 'anonymous') < 0.12 THEN NULL ELSE o.customer_id END AS customer_id,
        CASE WHEN a.pre_sale THEN o.ordered_at - secs(120 + rnd(a.q, 'inquiry_lead') * 2 * 86400)
             ELSE o.ordered_at + secs(3600 + rnd(a.q, 'inquiry_lag') * 7 * 86400) END AS received_at
      FROM asked a JOIN orders o USING (oi)
    ), answered AS (
      SELECT p.*,
        CASE WHEN s.hired_on <= p.received_at::DATE AND (s.left_on IS NULL OR s.left_on > p.received_at::DATE)
          THEN s.staff_id ELSE lead.staff_id END AS agent_id,
        p.received_at + secs(greatest(1, exp(ln(${MEDIAN_RESPONSE_S}) + 0.85 * nrm(p.q, 'response')))) AS response_time
      FROM placed p
      JOIN staff s ON s.unit = CASE WHEN p.pre_sale THEN 'pre_sale' ELSE 'after_sale' END
        AND s.member_idx = floor(rnd(p.q, 'agent') * ${SERVICE_PER_TEAM})
      JOIN staff lead ON lead.unit = s.unit AND lead.member_idx = 0
      WHERE p.received_at BETWEEN ${date(ctx.start)} AND ${endTs}
    )
    SELECT 'Q' || lpad(row_number() OVER (ORDER BY received_at, q)::VARCHAR, 9, '0') AS inquiry_id,
      platform_id, customer_id, agent_id,
      ${pickStr('rnd(q, \'inquiry_channel\')', [['chat', 70], ['platform', 15], ['phone', 12], ['email', 3]])} AS channel,
      received_at,
      CASE WHEN response_time <= ${endTs} THEN response_time END AS first_response_at,
      CASE WHEN response_time + secs(60 + rnd(q, 'inquiry_done') * 1800) <= ${endTs}
        THEN response_time + secs(60 + rnd(q, 'inquiry_done') * 1800) END AS resolved_at,
      CASE WHEN pre_sale THEN ${pickStr('rnd(q, \'topic\')', [['商品咨询', 40], ['价格与优惠', 30], ['库存与发货时间', 30]])}
           ELSE ${pickStr('rnd(q, \'topic\')', [['物流查询', 35], ['退换货', 25], ['产品使用', 20], ['发票', 10], ['质量问题', 10]])} END AS topic
    FROM answered`];
}

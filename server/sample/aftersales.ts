// What happens after an order: refunds, logistics exceptions, complaints and reviews. Each is a
// sparse draw over orders; events that would fall after the end date have not happened yet.
import type { GenContext } from './context.ts';
import { date, endOfDay, num, pickInt, pickStr, str } from './sqlText.ts';

const REFUND_RATE = 0.047;
const EVENT_RATE = 0.02;
/** complaints per valid order, before any not yet received by the end date are dropped */
const COMPLAINT_RATE = 0.0078;
const REVIEW_RATE = 0.41;

const VALID = `paid_at IS NOT NULL AND status <> 'cancelled'`;

export function refundsSql(ctx: GenContext): string[] {
  const endTs = endOfDay(ctx.end);
  return [`CREATE TABLE refunds AS
    WITH asked AS (
      SELECT oi, order_id, paid_amount, delivered_at,
        coalesce(delivered_at + secs(3600 + rnd(oi, 'refund_at') * 7 * 86400),
                 paid_at + secs(600 + rnd(oi, 'refund_at') * 36 * 3600)) AS requested_at
      FROM orders WHERE ${VALID} AND rnd(oi, 'refund') < ${REFUND_RATE}
    )
    SELECT 'R' || substr(order_id, 2) AS refund_id, oi, order_id, requested_at,
      CAST(CASE WHEN rnd(oi, 'refund_full') < 0.65 THEN paid_amount
                ELSE greatest(0.01, round(paid_amount * (0.1 + 0.7 * rnd(oi, 'refund_part')), 2)) END AS DECIMAL(18,2)) AS amount,
      CASE WHEN delivered_at IS NOT NULL
        THEN ${pickStr('rnd(oi, \'refund_reason\')', [['七天无理由退货', 35], ['质量问题', 20], ['商品与描述不符', 15], ['尺码/规格不合适', 15], ['物流破损', 15]])}
        ELSE ${pickStr('rnd(oi, \'refund_reason\')', [['不想要了', 45], ['拍错/多拍', 35], ['发货太慢', 20]])} END AS reason,
      CASE WHEN requested_at > ${endTs} - INTERVAL 2 DAY
        THEN ${pickStr('rnd(oi, \'refund_status\')', [['requested', 70], ['approved', 30]])}
        ELSE ${pickStr('rnd(oi, \'refund_status\')', [['approved', 85], ['rejected', 10], ['requested', 5]])} END AS status
    FROM asked WHERE requested_at <= ${endTs}`];
}

/** Late shipments are far more likely to log a delay event. */
export function logisticsEventsSql(ctx: GenContext): string[] {
  const endTs = endOfDay(ctx.end);
  return [`CREATE TABLE logistics_events AS
    WITH hit AS (
      SELECT oi, order_id, shipped_at, delivered_at,
        CASE WHEN late AND rnd(oi, 'event_late') < 0.8 THEN 'delay'
             ELSE ${pickStr('rnd(oi, \'event_kind\')', [['delay', 40], ['damage', 20], ['lost', 8], ['address_error', 17], ['returned', 15]])} END AS kind
      FROM orders
      WHERE shipped_at IS NOT NULL AND status <> 'cancelled'
        AND rnd(oi, 'event') < CASE WHEN late THEN 0.22 ELSE ${EVENT_RATE} END
    ), timed AS (
      SELECT *, shipped_at + secs(rnd(oi, 'event_at') * date_diff('second', shipped_at, coalesce(delivered_at, ${endTs}))) AS occurred_at
      FROM hit
    )
    SELECT oi, order_id, occurred_at, kind,
      CASE WHEN occurred_at + secs(7200 + rnd(oi, 'event_fix') * 3 * 86400) <= ${endTs}
        THEN occurred_at + secs(7200 + rnd(oi, 'event_fix') * 3 * 86400) END AS resolved_at
    FROM timed`];
}

/**
 * Complaints come a few days after delivery. The planted spike adds a second wave on one
 * platform: complaints received within hours of the order, mostly about product quality. The wave
 * takes an exact share of the window's orders rather than a coin flip per order, so that the spike
 * stands out even in a small sample.
 */
export function complaintsSql(ctx: GenContext): string[] {
  const endTs = endOfDay(ctx.end);
  const spike = ctx.plan.complaintSpike;
  const u = (salt: string) => `rnd2(oi, wave, '${salt}')`;
  return [`CREATE TABLE complaints AS
    WITH valid AS (
      SELECT * FROM orders WHERE ${VALID}
    ), raised AS (
      SELECT oi, 0 AS wave, coalesce(delivered_at, shipped_at, paid_at) + secs(3600 + rnd(oi, 'complaint_at') * 6 * 86400) AS received_at
      FROM valid WHERE rnd(oi, 'complaint') < ${COMPLAINT_RATE}
      UNION ALL
      SELECT oi, 1 AS wave, ordered_at + secs(3600 + rnd(oi, 'spike_at') * 20 * 3600) AS received_at
      FROM (
        SELECT oi, ordered_at, row_number() OVER (ORDER BY rnd(oi, 'spike'), oi) AS spike_rank, count(*) OVER () AS spike_pool
        FROM valid WHERE platform_id = ${str(spike.platformId)} AND d BETWEEN ${date(spike.start)} AND ${date(spike.end)}
      )
      WHERE spike_rank <= round(spike_pool * ${num(COMPLAINT_RATE * (spike.factor - 1))})
    ), described AS (
      SELECT r.oi, r.wave, r.received_at, v.order_id, v.customer_id, v.platform_id,
        CASE WHEN r.wave = 1 AND ${u('quality')} < 0.75 THEN 'product_quality'
             WHEN v.late AND ${u('late')} < 0.6 THEN 'delivery'
             ELSE ${pickStr(u('category'), [['product_quality', 28], ['delivery', 25], ['service', 18], ['false_advertising', 8], ['pricing', 10], ['privacy', 3], ['other', 8]])} END AS category,
        CASE WHEN r.wave = 1 THEN ${pickStr(u('severity'), [['minor', 40], ['major', 48], ['critical', 12]])}
             ELSE ${pickStr(u('severity'), [['minor', 68], ['major', 26], ['critical', 6]])} END AS severity,
        ${pickStr(u('channel'), [['platform', 50], ['chat', 25], ['phone', 20], ['email', 5]])} AS channel,
        date_diff('hour', r.received_at, ${endTs}) AS age_h,
        CASE WHEN age_h < 48 THEN ${pickStr(u('status'), [['open', 60], ['investigating', 40]])}
             WHEN age_h < 240 THEN ${pickStr(u('status'), [['investigating', 30], ['resolved', 70]])}
             ELSE ${pickStr(u('status'), [['resolved', 45], ['closed', 55]])} END AS planned_status,
        r.received_at + secs(3600 * (2 + ${u('resolve')} * CASE severity WHEN 'critical' THEN 24 WHEN 'major' THEN 72 ELSE 120 END)) AS resolve_time
      FROM raised r JOIN valid v USING (oi)
      WHERE r.received_at <= ${endTs}
    ), settled AS (
      SELECT *,
        CASE WHEN planned_status IN ('resolved', 'closed') AND resolve_time > ${endTs} THEN 'investigating' ELSE planned_status END AS status
      FROM described
    )
    SELECT 'CP' || lpad(row_number() OVER (ORDER BY received_at, oi, wave)::VARCHAR, 8, '0') AS complaint_id,
      oi, order_id, customer_id, platform_id, received_at, channel, category, severity, status,
      CASE WHEN status IN ('resolved', 'closed') THEN resolve_time END AS resolved_at,
      CASE WHEN status IN ('resolved', 'closed') THEN ${pickInt(u('satisfaction'), [[5, 35], [4, 30], [3, 18], [2, 10], [1, 7]])} END AS satisfaction
    FROM settled`];
}

/** One review per reviewed order, about its first line; customers who complained rate lower. */
export function reviewsSql(ctx: GenContext): string[] {
  const endTs = endOfDay(ctx.end);
  return [`CREATE TABLE reviews AS
    WITH reviewed AS (
      SELECT o.oi, o.order_id, i.sku, o.oi IN (SELECT oi FROM complaints) AS unhappy,
        o.delivered_at + secs(3600 + pow(rnd(o.oi, 'review_at'), 2) * 10 * 86400) AS created_at
      FROM orders o JOIN order_items i ON i.oi = o.oi AND i.line_no = 1
      WHERE o.status = 'delivered' AND rnd(o.oi, 'review') < ${REVIEW_RATE}
    )
    SELECT 'RV' || substr(order_id, 2) AS review_id, oi, order_id, sku,
      CASE WHEN unhappy THEN ${pickInt('rnd(oi, \'rating\')', [[1, 30], [2, 25], [3, 25], [4, 12], [5, 8]])}
           ELSE ${pickInt('rnd(oi, \'rating\')', [[5, 62], [4, 25], [3, 8.5], [2, 2.8], [1, 1.7]])} END AS rating,
      created_at
    FROM reviewed WHERE created_at <= ${endTs}`];
}

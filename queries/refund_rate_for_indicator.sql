-- @name: Refund rate (indicator)
-- @description: Valid orders placed between $from and $to with an approved refund (numerator) out of all
-- @description: valid orders placed then (denominator): one row, usable as a risk indicator's query
-- @description: (the indicator binds $from and $to to each step's window). Same definition as the refund rate KPI.
-- @tags: refunds, risk
-- @visibility: everyone
-- @param: {"name":"from","label":"From","type":"date","default":"2026-10-27"}
-- @param: {"name":"to","label":"To","type":"date","default":"2026-11-25"}

SELECT
  count(*) FILTER (WHERE o.order_id IN (SELECT order_id FROM refunds WHERE status = 'approved')) AS numerator,
  count(*) AS denominator
FROM orders o
WHERE o.paid_at IS NOT NULL
  AND o.status <> 'cancelled'
  AND CAST(o.ordered_at AS DATE) BETWEEN $from AND $to

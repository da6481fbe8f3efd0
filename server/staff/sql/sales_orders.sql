-- Revenue and orders per sales person and bucket: valid orders (paid_at set, status <> 'cancelled') by ordered_at.
-- $from, $end: TIMESTAMP bounds [from, end); $monthly: bucket by month (else one bucket named $from).
SELECT o.salesperson_id AS staff_id,
  CASE WHEN $monthly THEN strftime(date_trunc('month', o.ordered_at), '%Y-%m-01') ELSE $from END AS bucket,
  sum(o.paid_amount) AS revenue,
  count(*) AS orders
FROM orders o
WHERE o.paid_at IS NOT NULL AND o.status <> 'cancelled' AND o.salesperson_id IS NOT NULL
  AND o.ordered_at >= CAST($from AS TIMESTAMP) AND o.ordered_at < CAST($end AS TIMESTAMP)
GROUP BY ALL

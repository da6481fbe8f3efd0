-- Complaints per sales person and bucket: complaints received in [from, end) on their valid
-- orders (whenever the order was placed).
SELECT o.salesperson_id AS staff_id,
  CASE WHEN $monthly THEN strftime(date_trunc('month', c.received_at), '%Y-%m-01') ELSE $from END AS bucket,
  count(*) AS complaints
FROM complaints c
JOIN orders o ON o.order_id = c.order_id
WHERE o.paid_at IS NOT NULL AND o.status <> 'cancelled' AND o.salesperson_id IS NOT NULL
  AND c.received_at >= CAST($from AS TIMESTAMP) AND c.received_at < CAST($end AS TIMESTAMP)
GROUP BY ALL

-- New customers per sales person and bucket: each customer's first valid order ever (earliest
-- ordered_at, then smallest order_id) counts for that order's sales person when it falls in [from, end).
WITH firsts AS (
  SELECT o.customer_id, o.salesperson_id, o.ordered_at
  FROM orders o
  WHERE o.paid_at IS NOT NULL AND o.status <> 'cancelled' AND o.customer_id IS NOT NULL
  QUALIFY row_number() OVER (PARTITION BY o.customer_id ORDER BY o.ordered_at, o.order_id) = 1
)
SELECT f.salesperson_id AS staff_id,
  CASE WHEN $monthly THEN strftime(date_trunc('month', f.ordered_at), '%Y-%m-01') ELSE $from END AS bucket,
  count(*) AS new_customers
FROM firsts f
WHERE f.salesperson_id IS NOT NULL
  AND f.ordered_at >= CAST($from AS TIMESTAMP) AND f.ordered_at < CAST($end AS TIMESTAMP)
GROUP BY ALL

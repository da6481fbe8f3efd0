-- Ratings per sales person and bucket: reviews created in [from, end) on their valid orders
-- (whenever the order was placed). The mean is rating_sum / ratings.
SELECT o.salesperson_id AS staff_id,
  CASE WHEN $monthly THEN strftime(date_trunc('month', r.created_at), '%Y-%m-01') ELSE $from END AS bucket,
  sum(r.rating)::DOUBLE AS rating_sum,
  count(r.rating) AS ratings
FROM reviews r
JOIN orders o ON o.order_id = r.order_id
WHERE o.paid_at IS NOT NULL AND o.status <> 'cancelled' AND o.salesperson_id IS NOT NULL
  AND r.rating IS NOT NULL
  AND r.created_at >= CAST($from AS TIMESTAMP) AND r.created_at < CAST($end AS TIMESTAMP)
GROUP BY ALL

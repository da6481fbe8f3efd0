-- Gross profit per sales person and bucket: Σ quantity·(unit_price − unit_cost) over the lines of
-- their valid orders of [from, end) whose SKU has a unit_cost (lines without a cost are left out).
SELECT o.salesperson_id AS staff_id,
  CASE WHEN $monthly THEN strftime(date_trunc('month', o.ordered_at), '%Y-%m-01') ELSE $from END AS bucket,
  sum(i.quantity * (i.unit_price - p.unit_cost)) AS gross_profit
FROM orders o
JOIN order_items i ON i.order_id = o.order_id
JOIN products p ON p.sku = i.sku
WHERE o.paid_at IS NOT NULL AND o.status <> 'cancelled' AND o.salesperson_id IS NOT NULL
  AND p.unit_cost IS NOT NULL
  AND o.ordered_at >= CAST($from AS TIMESTAMP) AND o.ordered_at < CAST($end AS TIMESTAMP)
GROUP BY ALL

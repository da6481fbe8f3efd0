-- All valid orders of [from, end) and the part carrying a salesperson_id that is a sales person in staff.
SELECT coalesce(sum(o.paid_amount), 0) AS revenue,
  count(*) AS orders,
  coalesce(sum(o.paid_amount) FILTER (WHERE s.staff_id IS NOT NULL), 0) AS attributed_revenue,
  count(*) FILTER (WHERE s.staff_id IS NOT NULL) AS attributed_orders
FROM orders o
LEFT JOIN staff s ON s.staff_id = o.salesperson_id AND s.role = 'sales'
WHERE o.paid_at IS NOT NULL AND o.status <> 'cancelled'
  AND o.ordered_at >= CAST($from AS TIMESTAMP) AND o.ordered_at < CAST($end AS TIMESTAMP)

-- @name: Top products by revenue
-- @description: The $limit products with the highest line revenue (quantity × unit price) on valid orders
-- @description: placed in the last 90 days of the snapshot, with units sold and the number of orders.
-- @tags: products, sales
-- @visibility: everyone
-- @param: {"name":"limit","label":"Products","type":"number","default":20}
-- @chart: {"type":"bar","x":"product","y":["revenue"],"series":null,"stack":false,"title":"Top products"}

WITH recent AS (
  SELECT o.order_id
  FROM orders o
  WHERE o.paid_at IS NOT NULL
    AND o.status <> 'cancelled'
    AND o.ordered_at > (SELECT max(ordered_at) FROM orders) - INTERVAL 90 DAY
)
SELECT
  i.sku,
  coalesce(p.name, i.sku) AS product,
  p.category,
  sum(i.quantity) AS units,
  sum(i.quantity * i.unit_price) AS revenue,
  count(DISTINCT i.order_id) AS orders
FROM order_items i
JOIN recent r ON r.order_id = i.order_id
LEFT JOIN products p ON p.sku = i.sku
GROUP BY ALL
ORDER BY revenue DESC, i.sku
LIMIT CAST($limit AS INTEGER)

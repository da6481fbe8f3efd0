-- @name: GMV by platform and month
-- @description: Paid amount of valid orders (paid, not cancelled) per platform and calendar month,
-- @description: for orders placed between $from and $to (both days included). Same definition as the GMV KPI.
-- @tags: sales, platforms
-- @visibility: everyone
-- @param: {"name":"from","label":"From","type":"date","default":"2026-01-01"}
-- @param: {"name":"to","label":"To","type":"date","default":"2026-11-25"}
-- @chart: {"type":"bar","x":"month","y":["gmv"],"series":"platform","stack":true,"title":"GMV by platform"}

SELECT
  strftime(date_trunc('month', o.ordered_at), '%Y-%m') AS month,
  p.name AS platform,
  sum(o.paid_amount) AS gmv,
  count(*) AS orders
FROM orders o
JOIN platforms p ON p.platform_id = o.platform_id
WHERE o.paid_at IS NOT NULL
  AND o.status <> 'cancelled'
  AND CAST(o.ordered_at AS DATE) BETWEEN $from AND $to
GROUP BY ALL
ORDER BY month, platform

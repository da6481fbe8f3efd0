-- @name: Complaint reasons on a platform
-- @description: Complaints per category and severity on one platform, over the last 90 days of the snapshot,
-- @description: with the share of each category among that platform's complaints.
-- @tags: service, complaints
-- @visibility: everyone
-- @param: {"name":"platform","label":"Platform","type":"list","default":"tmall","optionsSql":"SELECT platform_id FROM platforms ORDER BY platform_id"}
-- @chart: {"type":"bar","x":"category","y":["complaints"],"series":"severity","stack":true,"title":"Complaint reasons"}

WITH recent AS (
  SELECT category, severity
  FROM complaints
  WHERE platform_id = $platform
    AND received_at > (SELECT max(received_at) FROM complaints) - INTERVAL 90 DAY
)
SELECT
  category,
  severity,
  count(*) AS complaints,
  count(*) / sum(count(*)) OVER () AS share
FROM recent
GROUP BY ALL
ORDER BY complaints DESC, category, severity

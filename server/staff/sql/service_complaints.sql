-- Complaints resolved in [from, end) attributed to an agent: the agent of the latest inquiry of
-- the same customer received at most $days days before the complaint's resolved_at (and not
-- after it); ties by the larger inquiry_id. Complaints without a customer or without such an
-- inquiry are attributed to nobody. staff_id is NULL for those, so the caller also gets coverage.
WITH resolved AS (
  SELECT c.complaint_id, c.customer_id, c.resolved_at, c.satisfaction
  FROM complaints c
  WHERE c.resolved_at >= CAST($from AS TIMESTAMP) AND c.resolved_at < CAST($end AS TIMESTAMP)
), attributed AS (
  SELECT r.complaint_id, i.agent_id
  FROM resolved r
  JOIN inquiries i ON i.customer_id = r.customer_id AND i.agent_id IS NOT NULL
    AND i.received_at <= r.resolved_at AND i.received_at >= r.resolved_at - to_days(CAST($days AS INTEGER))
  QUALIFY row_number() OVER (PARTITION BY r.complaint_id ORDER BY i.received_at DESC, i.inquiry_id DESC) = 1
)
SELECT a.agent_id AS staff_id,
  CASE WHEN $monthly THEN strftime(date_trunc('month', r.resolved_at), '%Y-%m-01') ELSE $from END AS bucket,
  count(*) AS complaints_resolved,
  sum(r.satisfaction)::DOUBLE AS satisfaction_sum,
  count(r.satisfaction) AS satisfaction_responses
FROM resolved r
LEFT JOIN attributed a ON a.complaint_id = r.complaint_id
GROUP BY ALL

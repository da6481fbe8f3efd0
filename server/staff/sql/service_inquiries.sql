-- Inquiries per agent and bucket, received in [from, end). Response time: seconds from
-- received_at to first_response_at, inquiries with a response only; $sla: breach threshold in seconds.
WITH q AS (
  SELECT i.agent_id,
    CASE WHEN $monthly THEN strftime(date_trunc('month', i.received_at), '%Y-%m-01') ELSE $from END AS bucket,
    CASE WHEN i.first_response_at IS NOT NULL THEN epoch(i.first_response_at) - epoch(i.received_at) END AS seconds
  FROM inquiries i
  WHERE i.agent_id IS NOT NULL
    AND i.received_at >= CAST($from AS TIMESTAMP) AND i.received_at < CAST($end AS TIMESTAMP)
)
SELECT agent_id AS staff_id, bucket,
  count(*) AS inquiries,
  count(seconds) AS responded,
  quantile_cont(seconds, 0.5) AS first_response_p50,
  quantile_cont(seconds, 0.9) AS first_response_p90,
  count(*) FILTER (WHERE seconds > $sla) AS sla_breaches
FROM q
GROUP BY ALL

SELECT staff_id, name, role, team, CAST(hired_on AS VARCHAR) AS hired_on, CAST(left_on AS VARCHAR) AS left_on
FROM staff
ORDER BY staff_id

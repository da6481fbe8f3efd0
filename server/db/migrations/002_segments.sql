-- The editable RFM rule table (server/segments/rules.ts holds the default). One row per rule;
-- `priority` orders them, the first matching rule wins. No rows = the default table.
CREATE TABLE segment_rules (
  priority    INTEGER PRIMARY KEY,
  segment     VARCHAR NOT NULL,
  r_min       INTEGER NOT NULL CHECK (r_min BETWEEN 1 AND 5),
  r_max       INTEGER NOT NULL CHECK (r_max BETWEEN 1 AND 5),
  f_min       INTEGER NOT NULL CHECK (f_min BETWEEN 1 AND 5),
  f_max       INTEGER NOT NULL CHECK (f_max BETWEEN 1 AND 5),
  m_min       INTEGER NOT NULL CHECK (m_min BETWEEN 1 AND 5),
  m_max       INTEGER NOT NULL CHECK (m_max BETWEEN 1 AND 5),
  updated_at  TIMESTAMP NOT NULL,
  updated_by  VARCHAR NOT NULL
);

-- The audit log: sign-ins, writes, ad-hoc queries, exports and emails (server/auth/audit.ts).
-- Rows are only ever inserted; nothing in the app updates or deletes them.

CREATE SEQUENCE audit_seq START 1;

CREATE TABLE audit_log (
  id        BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
  "at"      TIMESTAMP NOT NULL,           -- quoted: AT is a keyword in DuckDB
  username  VARCHAR,                      -- null: anonymous or the system (e.g. the outbox sender)
  source    VARCHAR,                      -- the client's address; null for work the server does itself
  kind      VARCHAR NOT NULL CHECK (kind IN ('sign_in', 'sign_in_failed', 'write', 'query', 'export', 'email')),
  action    VARCHAR NOT NULL,             -- 'POST /api/risk/risks', 'login', 'run', 'send'
  target    VARCHAR,                      -- risk id, query run id, outbox id ...
  outcome   VARCHAR NOT NULL CHECK (outcome IN ('ok', 'refused', 'error')),
  status    INTEGER,                      -- the HTTP status, when there was a request
  detail    JSON NOT NULL
);

-- Invite and reset links are emailed through the outbox as kind 'account'. DuckDB cannot alter a
-- CHECK constraint, so the table is rebuilt with the wider list; ids and the sequence are kept.
CREATE TABLE outbox_v7 (
  id             BIGINT PRIMARY KEY DEFAULT nextval('outbox_seq'),
  key            VARCHAR NOT NULL UNIQUE,
  kind           VARCHAR NOT NULL CHECK (kind IN ('breach', 'escalation', 'recovery', 'renotify', 'test', 'digest', 'account')),
  recipients     JSON NOT NULL,
  subject        VARCHAR NOT NULL,
  text           VARCHAR NOT NULL,
  html           VARCHAR NOT NULL,
  indicator_id   VARCHAR,
  alert_id       BIGINT,
  status         VARCHAR NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  attempts       INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMP NOT NULL,
  last_error     VARCHAR,
  created_at     TIMESTAMP NOT NULL,
  sent_at        TIMESTAMP,
  transport      VARCHAR,                        -- 'smtp' or 'file'
  message_id     VARCHAR,
  file           VARCHAR
);
INSERT INTO outbox_v7 SELECT * FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v7 RENAME TO outbox;

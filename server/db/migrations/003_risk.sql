-- Risk indicators, their evaluations and alerts, the risk register and the email outbox.
-- server/risk/contract.ts describes every column's meaning; JSON columns hold what a row
-- carries as a list or an object (scope filters, recipients).

CREATE SEQUENCE risk_seq START 1;

CREATE TABLE risks (
  id                   VARCHAR PRIMARY KEY,            -- 'R-001'
  title                VARCHAR NOT NULL,
  description          VARCHAR NOT NULL DEFAULT '',
  category             VARCHAR NOT NULL CHECK (category IN ('market', 'legal', 'credit', 'technical', 'operational')),
  owner                VARCHAR NOT NULL,
  inherent_likelihood  INTEGER NOT NULL CHECK (inherent_likelihood BETWEEN 1 AND 5),
  inherent_impact      INTEGER NOT NULL CHECK (inherent_impact BETWEEN 1 AND 5),
  residual_likelihood  INTEGER CHECK (residual_likelihood BETWEEN 1 AND 5),
  residual_impact      INTEGER CHECK (residual_impact BETWEEN 1 AND 5),
  response             VARCHAR CHECK (response IN ('avoid', 'reduce', 'transfer', 'accept')),
  acceptance_approver  VARCHAR,
  acceptance_expires   DATE,
  status               VARCHAR NOT NULL CHECK (status IN ('identified', 'assessed', 'treating', 'monitoring', 'closed')),
  next_review          DATE NOT NULL,
  review_flagged       BOOLEAN NOT NULL DEFAULT false,
  review_reason        VARCHAR,
  created_at           TIMESTAMP NOT NULL,
  created_by           VARCHAR NOT NULL,
  updated_at           TIMESTAMP NOT NULL
);

CREATE SEQUENCE risk_action_seq START 1;

CREATE TABLE risk_actions (
  id          INTEGER PRIMARY KEY DEFAULT nextval('risk_action_seq'),
  risk_id     VARCHAR NOT NULL,
  title       VARCHAR NOT NULL,
  owner       VARCHAR NOT NULL,
  due         DATE NOT NULL,
  status      VARCHAR NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
  created_at  TIMESTAMP NOT NULL,
  updated_at  TIMESTAMP NOT NULL
);

-- Field-level history: one row per changed field (risk fields and action fields alike).
CREATE SEQUENCE risk_history_seq START 1;

CREATE TABLE risk_history (
  id         BIGINT PRIMARY KEY DEFAULT nextval('risk_history_seq'),
  risk_id    VARCHAR NOT NULL,
  "at"       TIMESTAMP NOT NULL,         -- quoted: AT is a keyword in DuckDB
  username   VARCHAR NOT NULL,
  field      VARCHAR NOT NULL,      -- 'owner', 'residual_impact', 'action 3 status', ...
  old_value  VARCHAR,
  new_value  VARCHAR
);

-- Events on a risk's timeline that are not field edits: alerts, reviews, notes.
CREATE SEQUENCE risk_timeline_seq START 1;

CREATE TABLE risk_timeline (
  id            BIGINT PRIMARY KEY DEFAULT nextval('risk_timeline_seq'),
  risk_id       VARCHAR NOT NULL,
  "at"          TIMESTAMP NOT NULL,      -- quoted: AT is a keyword in DuckDB
  kind          VARCHAR NOT NULL CHECK (kind IN ('created', 'alert', 'review', 'note')),
  username      VARCHAR,
  indicator_id  VARCHAR,
  alert_id      BIGINT,
  text          VARCHAR NOT NULL
);

CREATE TABLE indicators (
  id              VARCHAR PRIMARY KEY,           -- slug, e.g. 'complaint_rate'
  name            VARCHAR NOT NULL,
  description     VARCHAR NOT NULL DEFAULT '',
  source          VARCHAR NOT NULL CHECK (source IN ('kpi', 'query', 'freshness', 'ingest_rejection')),
  kpi             VARCHAR,
  query_id        VARCHAR,
  filters         JSON NOT NULL,                 -- {platform?: [...], category?: [...], region?: [...], member_tier?: [...]}
  split_by        VARCHAR,                       -- a breakdown dimension, one state per value
  window_days     INTEGER NOT NULL CHECK (window_days BETWEEN 1 AND 366),
  compare         VARCHAR NOT NULL CHECK (compare IN ('none', 'previous', 'yoy')),
  direction       VARCHAR NOT NULL CHECK (direction IN ('higher_is_worse', 'lower_is_worse')),
  warning         DOUBLE NOT NULL,
  critical        DOUBLE NOT NULL,
  clear           DOUBLE NOT NULL,
  min_sample      DOUBLE NOT NULL DEFAULT 0,
  consecutive     INTEGER NOT NULL DEFAULT 1 CHECK (consecutive BETWEEN 1 AND 30),
  stat_rule       VARCHAR NOT NULL DEFAULT 'none' CHECK (stat_rule IN ('none', 'wilson', 'ewma', 'sigma3')),
  owner           VARCHAR NOT NULL,
  recipients      JSON NOT NULL,                 -- ["a@example.com", ...]
  renotify_hours  INTEGER NOT NULL DEFAULT 24,
  snoozed_until   TIMESTAMP,
  risk_id         VARCHAR,
  schedule        VARCHAR NOT NULL,              -- cron expression
  enabled         BOOLEAN NOT NULL DEFAULT true,
  builtin         BOOLEAN NOT NULL DEFAULT false,
  created_at      TIMESTAMP NOT NULL,
  updated_at      TIMESTAMP NOT NULL,
  updated_by      VARCHAR NOT NULL
);

-- The state machine's memory per indicator and scope value ('' when not split).
CREATE TABLE indicator_states (
  indicator_id    VARCHAR NOT NULL,
  scope           VARCHAR NOT NULL,
  scope_label     VARCHAR,                       -- the scope's display name ('Tmall' for 'tmall'), so lists need no snapshot
  state           VARCHAR NOT NULL,
  step            VARCHAR NOT NULL,              -- the as-of step last applied (a date, or an hour for technical indicators)
  memory          JSON NOT NULL,                 -- StateMemory after `step`
  memory_before   JSON NOT NULL,                 -- StateMemory before `step`, so a re-run of the same step does not count twice
  value           DOUBLE,
  numerator       DOUBLE,
  denominator     DOUBLE,
  evaluated_at    TIMESTAMP NOT NULL,
  snoozed_until   TIMESTAMP,
  PRIMARY KEY (indicator_id, scope)
);

CREATE SEQUENCE evaluation_seq START 1;

CREATE TABLE evaluations (
  id             BIGINT PRIMARY KEY DEFAULT nextval('evaluation_seq'),
  indicator_id   VARCHAR NOT NULL,
  scope          VARCHAR NOT NULL,
  snapshot_id    VARCHAR,
  as_of          DATE,
  step           VARCHAR NOT NULL,
  evaluated_at   TIMESTAMP NOT NULL,
  trigger        VARCHAR NOT NULL CHECK (trigger IN ('publish', 'schedule', 'manual')),
  value          DOUBLE,
  numerator      DOUBLE,
  denominator    DOUBLE,
  warning        DOUBLE NOT NULL,
  critical       DOUBLE NOT NULL,
  clear          DOUBLE NOT NULL,
  state          VARCHAR NOT NULL,
  previous_state VARCHAR,
  detail         VARCHAR
);

CREATE SEQUENCE alert_seq START 1;

-- An alert is one episode of an indicator scope in warning/critical, from breach to recovery.
CREATE TABLE alerts (
  id               BIGINT PRIMARY KEY DEFAULT nextval('alert_seq'),
  indicator_id     VARCHAR NOT NULL,
  scope            VARCHAR NOT NULL,
  scope_label      VARCHAR,
  level            VARCHAR NOT NULL CHECK (level IN ('warning', 'critical')),
  status           VARCHAR NOT NULL CHECK (status IN ('open', 'recovering', 'closed')),
  opened_at        TIMESTAMP NOT NULL,
  opened_as_of     DATE,
  closed_at        TIMESTAMP,
  value            DOUBLE,
  numerator        DOUBLE,
  denominator      DOUBLE,
  risk_id          VARCHAR,
  acknowledged_by  VARCHAR,
  acknowledged_at  TIMESTAMP,
  last_notified_at TIMESTAMP,
  updated_at       TIMESTAMP NOT NULL
);

CREATE SEQUENCE outbox_seq START 1;

-- Every email is written here before anyone tries to send it; `key` makes a transition's
-- message unique, so a retry or a restart can never produce a second one.
CREATE TABLE outbox (
  id             BIGINT PRIMARY KEY DEFAULT nextval('outbox_seq'),
  key            VARCHAR NOT NULL UNIQUE,
  kind           VARCHAR NOT NULL CHECK (kind IN ('breach', 'escalation', 'recovery', 'renotify', 'test', 'digest')),
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

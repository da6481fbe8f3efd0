-- The SQL workbench: saved queries with every version kept, the per-user run history and
-- dashboards of pinned queries (server/queries/contract.ts describes the shapes).

CREATE SEQUENCE saved_query_seq START 1;

CREATE TABLE saved_queries (
  id          VARCHAR PRIMARY KEY,               -- 'q-12'
  owner       VARCHAR NOT NULL,
  visibility  VARCHAR NOT NULL CHECK (visibility IN ('private', 'everyone')),
  tags        JSON NOT NULL,
  version     INTEGER NOT NULL,                  -- the current version
  deleted     BOOLEAN NOT NULL DEFAULT false,
  created_at  TIMESTAMP NOT NULL,
  updated_at  TIMESTAMP NOT NULL
);

-- Saving never overwrites: each save adds a version; restoring copies an old one as the newest.
CREATE TABLE saved_query_versions (
  query_id     VARCHAR NOT NULL,
  version      INTEGER NOT NULL,
  name         VARCHAR NOT NULL,
  description  VARCHAR NOT NULL,
  sql          VARCHAR NOT NULL,
  params       JSON NOT NULL,
  chart        JSON,
  saved_at     TIMESTAMP NOT NULL,
  saved_by     VARCHAR NOT NULL,
  PRIMARY KEY (query_id, version)
);

CREATE SEQUENCE query_history_seq START 1;

CREATE TABLE query_history (
  id           BIGINT PRIMARY KEY DEFAULT nextval('query_history_seq'),
  username     VARCHAR NOT NULL,
  sql          VARCHAR NOT NULL,
  param_values JSON NOT NULL,
  snapshot_id  VARCHAR,
  started_at   TIMESTAMP NOT NULL,
  elapsed_ms   INTEGER NOT NULL,
  row_count    BIGINT,
  status       VARCHAR NOT NULL CHECK (status IN ('ok', 'error', 'timeout', 'cancelled')),
  error        VARCHAR
);

CREATE SEQUENCE dashboard_seq START 1;

CREATE TABLE dashboards (
  id           VARCHAR PRIMARY KEY,              -- 'd-3'
  name         VARCHAR NOT NULL,
  description  VARCHAR NOT NULL,
  owner        VARCHAR NOT NULL,
  visibility   VARCHAR NOT NULL CHECK (visibility IN ('private', 'everyone')),
  params       JSON NOT NULL,
  tiles        JSON NOT NULL,
  created_at   TIMESTAMP NOT NULL,
  updated_at   TIMESTAMP NOT NULL
);

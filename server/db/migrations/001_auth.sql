CREATE TABLE users (
  username      VARCHAR PRIMARY KEY,
  display_name  VARCHAR NOT NULL,
  role          VARCHAR NOT NULL CHECK (role IN ('executive', 'analyst', 'risk_owner', 'admin')),
  pii           BOOLEAN NOT NULL DEFAULT false,
  password_hash VARCHAR NOT NULL,
  disabled      BOOLEAN NOT NULL DEFAULT false,
  created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE sessions (
  token_hash    VARCHAR PRIMARY KEY,
  username      VARCHAR NOT NULL,
  created_at    TIMESTAMP NOT NULL,
  last_seen_at  TIMESTAMP NOT NULL,
  expires_at    TIMESTAMP NOT NULL,
  source        VARCHAR,
  revoked       BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE settings (
  key   VARCHAR PRIMARY KEY,
  value VARCHAR NOT NULL
);

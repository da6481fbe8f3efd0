-- Accounts: invite/reset links, sign-in bookkeeping, the login throttle and API tokens
-- (server/auth/). Secrets (setup links, tokens) are stored only as sha256 hashes.

ALTER TABLE users ADD COLUMN email VARCHAR;
ALTER TABLE users ADD COLUMN last_sign_in_at TIMESTAMP;
-- an invited or reset account signs in only after setting a password through its link
ALTER TABLE users ADD COLUMN password_pending BOOLEAN DEFAULT false;

ALTER TABLE sessions ADD COLUMN user_agent VARCHAR;

CREATE TABLE password_setups (
  token_hash  VARCHAR PRIMARY KEY,
  username    VARCHAR NOT NULL,
  purpose     VARCHAR NOT NULL CHECK (purpose IN ('invite', 'reset')),
  created_by  VARCHAR NOT NULL,
  created_at  TIMESTAMP NOT NULL,
  expires_at  TIMESTAMP NOT NULL,
  used_at     TIMESTAMP
);

-- failed sign-ins, also for usernames that do not exist, so a lockout cannot reveal an account
CREATE TABLE login_failures (
  username  VARCHAR NOT NULL,
  source    VARCHAR NOT NULL,
  "at"      TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
  id            VARCHAR PRIMARY KEY,
  token_hash    VARCHAR NOT NULL UNIQUE,
  username      VARCHAR NOT NULL,
  name          VARCHAR NOT NULL,
  role          VARCHAR NOT NULL CHECK (role IN ('executive', 'analyst', 'risk_owner', 'admin')),
  read_only     BOOLEAN NOT NULL,
  created_at    TIMESTAMP NOT NULL,
  expires_at    TIMESTAMP,
  last_used_at  TIMESTAMP,
  revoked_at    TIMESTAMP
);

-- Prefer serve schema, version 1. Portable SQL: runs unchanged on SQLite and PostgreSQL (${id} is the dialect's
-- auto-increment key). Times are epoch milliseconds. Votes are append-only (V2 adds triggers that refuse UPDATE
-- and DELETE); exclusions and admin actions are separate records, and every admin action is in audit_log.

CREATE TABLE users (
  id ${id},
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'annotator')),
  created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);

CREATE TABLE campaigns (
  id ${id},
  name TEXT NOT NULL UNIQUE,
  spec_json TEXT NOT NULL,
  source_sha256 TEXT NOT NULL,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);

CREATE TABLE items (
  id ${id},
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
  line_no INTEGER NOT NULL,
  prompt TEXT NOT NULL,
  metadata_json TEXT NOT NULL,
  gold TEXT
);
CREATE INDEX items_campaign ON items(campaign_id);

CREATE TABLE responses (
  item_id BIGINT NOT NULL REFERENCES items(id),
  system TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (item_id, system)
);

CREATE TABLE comparisons (
  id TEXT PRIMARY KEY,
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  item_id BIGINT NOT NULL REFERENCES items(id),
  left_system TEXT NOT NULL,
  right_system TEXT NOT NULL,
  probability DOUBLE PRECISION NOT NULL,
  policy TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  used_at BIGINT
);

CREATE TABLE votes (
  id ${id},
  comparison_id TEXT NOT NULL UNIQUE REFERENCES comparisons(id),
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  item_id BIGINT NOT NULL REFERENCES items(id),
  left_system TEXT NOT NULL,
  right_system TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('left', 'right', 'tie', 'both_bad')),
  attributes_json TEXT,
  rationale TEXT,
  probability DOUBLE PRECISION NOT NULL,
  response_ms BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX votes_campaign ON votes(campaign_id, id);
CREATE INDEX votes_user ON votes(campaign_id, user_id);

CREATE TABLE exclusions (
  id ${id},
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
  vote_id BIGINT REFERENCES votes(id),
  user_id BIGINT REFERENCES users(id),
  reason TEXT NOT NULL,
  created_by BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  CHECK (vote_id IS NOT NULL OR user_id IS NOT NULL)
);

CREATE TABLE audit_log (
  id ${id},
  at BIGINT NOT NULL,
  user_id BIGINT,
  action TEXT NOT NULL,
  detail_json TEXT NOT NULL
);

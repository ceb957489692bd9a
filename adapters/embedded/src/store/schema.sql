-- The SQLite recipe store, schema version 1 (`PRAGMA user_version`).
-- Documents, diffs, summaries and facts are JSON text.
CREATE TABLE IF NOT EXISTS recipes (
    recipe_id       TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    rating          REAL,
    content_hash    TEXT NOT NULL,
    make_count      INTEGER NOT NULL DEFAULT 0,
    rating_sum      REAL NOT NULL DEFAULT 0,
    rated_count     INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    recipe_id    TEXT NOT NULL REFERENCES recipes (recipe_id),
    version      INTEGER NOT NULL,
    name         TEXT NOT NULL,
    rating       REAL,
    content_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    document     TEXT NOT NULL,
    PRIMARY KEY (recipe_id, version)
);
CREATE TABLE IF NOT EXISTS makes (
    recipe_id    TEXT NOT NULL REFERENCES recipes (recipe_id),
    make_id      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    made_at      TEXT,
    notes        TEXT,
    rating       REAL,
    created_at   TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    document     TEXT NOT NULL,
    diff         TEXT NOT NULL,
    summary      TEXT NOT NULL,
    scale_factor REAL,
    facts        TEXT NOT NULL,
    PRIMARY KEY (recipe_id, make_id)
);
CREATE TABLE IF NOT EXISTS rejections (
    rejection_id TEXT PRIMARY KEY NOT NULL,
    object_key   TEXT,
    kind         TEXT,
    code         TEXT NOT NULL,
    message      TEXT NOT NULL,
    path         TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    result     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);

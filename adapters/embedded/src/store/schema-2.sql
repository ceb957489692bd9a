-- Schema version 2: deletion follows the bucket. Each version, make and
-- rejection records the object it came from and the upload's sequencer
-- (fixed-width hexadecimal, so text order is event order); `deletions`
-- remembers the latest deletion of each key, so that an older upload
-- delivered after it stores nothing.
ALTER TABLE versions ADD COLUMN origin_key TEXT;
ALTER TABLE versions ADD COLUMN origin_seq TEXT;
ALTER TABLE versions ADD COLUMN withdrawn_at TEXT;
ALTER TABLE makes ADD COLUMN origin_key TEXT;
ALTER TABLE makes ADD COLUMN origin_seq TEXT;
ALTER TABLE rejections ADD COLUMN sequencer TEXT;
ALTER TABLE recipes ADD COLUMN withdrawn INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS versions_by_origin ON versions (origin_key);
CREATE INDEX IF NOT EXISTS makes_by_origin ON makes (origin_key);
CREATE INDEX IF NOT EXISTS rejections_by_object ON rejections (object_key);
CREATE TABLE IF NOT EXISTS deletions (
    object_id  TEXT PRIMARY KEY NOT NULL,
    sequencer  TEXT NOT NULL,
    deleted_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS erasures (
    target   TEXT PRIMARY KEY NOT NULL, -- the ErasureTarget as JSON
    begun_at TEXT NOT NULL
);

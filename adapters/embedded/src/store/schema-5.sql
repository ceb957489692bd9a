-- Schema version 5: each recipe's insight tally (an InsightTally as JSON),
-- kept with its makes once a first read has folded them (`tally` is NULL
-- until then), and how many times a make was stored or removed for the
-- recipe, which that fold checks before it is kept.
CREATE TABLE IF NOT EXISTS insight_tallies (
    recipe_id   TEXT PRIMARY KEY NOT NULL REFERENCES recipes (recipe_id),
    tally       TEXT,
    make_writes INTEGER NOT NULL DEFAULT 0
);

-- Schema version 4: recipes that evolve. Each version says where it came
-- from (`source`, a VersionSource as JSON; absent for an upload) and
-- counts the makes diffed against it; a recipe keeps the recipe it is a
-- variant of, at that recipe's version then, and whether that parent was
-- erased since.
ALTER TABLE versions ADD COLUMN source TEXT;
ALTER TABLE versions ADD COLUMN make_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE versions ADD COLUMN rating_sum REAL NOT NULL DEFAULT 0;
ALTER TABLE versions ADD COLUMN rated_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE versions ADD COLUMN changed_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE recipes ADD COLUMN parent_id TEXT;
ALTER TABLE recipes ADD COLUMN parent_version INTEGER;
ALTER TABLE recipes ADD COLUMN parent_erased INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS recipes_by_parent ON recipes (parent_id, recipe_id);
-- The makes stored before are counted on their versions. A make changed
-- the recipe when its diff has any change but the rating.
UPDATE versions SET
    make_count = (SELECT count(*) FROM makes m
                  WHERE m.recipe_id = versions.recipe_id AND m.version = versions.version),
    rating_sum = (SELECT coalesce(sum(m.rating), 0) FROM makes m
                  WHERE m.recipe_id = versions.recipe_id AND m.version = versions.version),
    rated_count = (SELECT count(m.rating) FROM makes m
                   WHERE m.recipe_id = versions.recipe_id AND m.version = versions.version),
    changed_count = (SELECT count(*) FROM makes m
                     WHERE m.recipe_id = versions.recipe_id AND m.version = versions.version
                       AND coalesce(json_extract(m.summary, '$.total'), 0)
                         > coalesce(json_extract(m.summary, '$.ratingChanged'), 0));
-- A make's facts name who logged it (the export's pseudonym is made from
-- them), as its row does.
UPDATE makes SET facts = json_set(facts, '$.loggedBy', logged_by)
WHERE logged_by IS NOT NULL;

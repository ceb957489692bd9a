-- Schema version 3: who logged a make from the dashboard (the user id its
-- object key names, makes/cooks/<id>/…); empty for a make dropped anywhere
-- else, and for every make stored before.
ALTER TABLE makes ADD COLUMN logged_by TEXT;

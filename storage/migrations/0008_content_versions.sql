-- A broadcast's text in other languages, one row per language (what Muster writes itself,
-- announcements and reminders, comes in every language; an organizer may add versions).
-- Readers of a language without a row get the broadcast's own body.
CREATE TABLE broadcast_versions (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    body TEXT NOT NULL,
    reply_markup TEXT,
    PRIMARY KEY (broadcast_id, language)
) STRICT;

INSERT INTO broadcast_versions (broadcast_id, language, body, reply_markup)
SELECT id, 'es', body_es, reply_markup_es FROM broadcasts WHERE body_es IS NOT NULL;

ALTER TABLE broadcasts DROP COLUMN body_es;

ALTER TABLE broadcasts DROP COLUMN reply_markup_es;

-- The versions an organizer has written so far in a broadcast draft, and the language of
-- the one being written.
ALTER TABLE drafts ADD COLUMN version_language TEXT;

CREATE TABLE draft_versions (
    user_id INTEGER NOT NULL,
    language TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (user_id, language)
) STRICT;

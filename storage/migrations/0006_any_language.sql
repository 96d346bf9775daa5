-- A supporter may have any language the catalogs hold: the list is the files in bot/locales,
-- which SQL cannot see, so supporters.language loses its CHECK (language IN ('en', 'es')).
--
-- SQLite cannot drop a CHECK in place: the table is rebuilt as
-- https://www.sqlite.org/lang_altertable.html ("Making Other Kinds Of Table Schema Changes")
-- says. migrate() in storage/db.py runs this with foreign keys off and checks them before the
-- commit: with them on, dropping the old table would cascade onto every follow, organizer,
-- delivery and answer that refers to it. The references name "supporters", so they hold the
-- new table once it takes that name. supporters has no index, trigger or view to recreate.
--
-- The columns are those of 0001_initial.sql: a later migration that changes them must come
-- after this one.
CREATE TABLE new_supporters (
    user_id INTEGER PRIMARY KEY,
    language TEXT NOT NULL,
    joined_at INTEGER NOT NULL,
    -- "city:<slug>" or "ref:<code>" from the deep link of first contact, else NULL.
    source TEXT,
    -- active: receives alerts; paused: said /stop; unreachable: blocked the bot.
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'unreachable'))
) STRICT;

INSERT INTO new_supporters (user_id, language, joined_at, source, status)
SELECT user_id, language, joined_at, source, status FROM supporters;

DROP TABLE supporters;

ALTER TABLE new_supporters RENAME TO supporters;

-- Invite links (issue 13): a supporter's personal link and organizers' named campaign links,
-- both t.me/<bot>?start=ref-<code>. A newcomer who arrives by one is recorded with the source
-- "ref:<code>" (supporters.source, written on first contact only), and that is what counts
-- them: no counter to drift, and someone who erases their data leaves the count with their row.
CREATE TABLE invite_links (
    id INTEGER PRIMARY KEY,
    -- Random (secrets.token_urlsafe), never derived from a user id.
    code TEXT NOT NULL UNIQUE,
    -- A personal link: the supporter whose link it is, one each, erased with them (their
    -- newcomers' sources are rewritten to "ref:erased" in the same transaction).
    owner_id INTEGER UNIQUE REFERENCES supporters (user_id) ON DELETE CASCADE,
    -- A campaign link: its name (plain text), and the city its newcomers follow (NULL: none).
    name TEXT,
    city_id INTEGER REFERENCES cities (id) ON DELETE SET NULL,
    -- The organizer who made a campaign link; NULL once they erased their data.
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    CHECK ((owner_id IS NULL) <> (name IS NULL))
) STRICT;

CREATE INDEX invite_links_by_city ON invite_links (city_id) WHERE city_id IS NOT NULL;

-- A link's sign-ups, in all and lately, counted from the index alone.
CREATE INDEX supporters_by_source ON supporters (source, joined_at) WHERE source IS NOT NULL;

-- Since when each supporter stands at their status (paused, unreachable, active again), for
-- /export's daily counts; no row: unchanged since they signed up or since this migration. A
-- table of its own rather than a column: supporters keeps the columns of 0006_any_language.sql,
-- which rebuilds it. A trigger keeps it, so every statement that changes a status (/stop, a
-- blocked send, /start again) is covered without knowing of it.
CREATE TABLE status_since (
    user_id INTEGER PRIMARY KEY REFERENCES supporters (user_id) ON DELETE CASCADE,
    since INTEGER NOT NULL
) STRICT;

CREATE TRIGGER supporter_status_changed AFTER UPDATE OF status ON supporters
WHEN NEW.status IS NOT OLD.status
BEGIN
    INSERT OR REPLACE INTO status_since (user_id, since) VALUES (NEW.user_id, unixepoch());
END;

-- What an organizer is composing (/broadcast, /newaction) and at which step, so a restart
-- mid-flow loses nothing: the next message continues the draft. One draft of each kind per
-- person; dropped when sent or abandoned, after a day, and by /deleteme.
CREATE TABLE drafts (
    user_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('broadcast', 'action')),
    step INTEGER NOT NULL,
    city_id INTEGER,
    all_cities INTEGER NOT NULL DEFAULT 0 CHECK (all_cities IN (0, 1)),
    title TEXT NOT NULL DEFAULT '',
    starts_at INTEGER NOT NULL DEFAULT 0,
    place TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '',
    action_id INTEGER NOT NULL DEFAULT 0,
    body TEXT,
    photo_file_id TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
) STRICT;

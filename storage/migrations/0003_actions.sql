-- Actions (a protest, a petition delivery), the answers supporters give, and the reminders
-- that go to everyone who said yes. Times are UTC Unix seconds.

-- Announcements and reminders speak each recipient's language.
ALTER TABLE broadcasts ADD COLUMN body_es TEXT;
ALTER TABLE broadcasts ADD COLUMN reply_markup_es TEXT;
-- No send after this moment: a reminder never arrives after its action began.
ALTER TABLE broadcasts ADD COLUMN expires_at INTEGER;

CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    city_id INTEGER NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    -- NULL once the author has erased their data.
    author_id INTEGER,
    title TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    place TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '',
    -- scheduled: waiting for publish_at; published: announced; cancelled.
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'published', 'cancelled', 'missed')),
    publish_at INTEGER,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX actions_by_city ON actions (city_id, starts_at);
CREATE INDEX actions_by_status ON actions (status, starts_at);

CREATE TABLE rsvps (
    action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES supporters (user_id) ON DELETE CASCADE,
    answer TEXT NOT NULL CHECK (answer IN ('yes', 'no')),
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (action_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX rsvps_by_user ON rsvps (user_id);

-- One row per action and offset; at its time it becomes a broadcast to the yes-group.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    offset_seconds INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'skipped', 'missed', 'cancelled')),
    broadcast_id INTEGER REFERENCES broadcasts (id) ON DELETE SET NULL,
    UNIQUE (action_id, offset_seconds)
) STRICT;

CREATE INDEX reminders_by_status ON reminders (status, due_at);

-- Organizers and what they may reach; broadcasts with their full recipient lists and each
-- recipient's outcome; the audit log.

CREATE TABLE organizers (
    user_id INTEGER PRIMARY KEY REFERENCES supporters (user_id) ON DELETE CASCADE,
    -- 1: may reach every city; otherwise the cities in organizer_cities.
    all_cities INTEGER NOT NULL DEFAULT 0 CHECK (all_cities IN (0, 1)),
    promoted_at INTEGER NOT NULL
) STRICT;

CREATE TABLE organizer_cities (
    user_id INTEGER NOT NULL REFERENCES organizers (user_id) ON DELETE CASCADE,
    city_id INTEGER NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, city_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY,
    -- NULL once the author has erased their data; the broadcast itself stays.
    author_id INTEGER,
    -- NULL: every city.
    city_id INTEGER REFERENCES cities (id) ON DELETE SET NULL,
    all_cities INTEGER NOT NULL DEFAULT 0 CHECK (all_cities IN (0, 1)),
    kind TEXT NOT NULL CHECK (kind IN ('text', 'photo')),
    -- The text or caption as Telegram HTML, exactly as the organizer formatted it.
    body TEXT NOT NULL,
    photo_file_id TEXT,
    -- Inline keyboard as Bot API JSON, for announcements that carry buttons.
    reply_markup TEXT,
    status TEXT NOT NULL CHECK (
        status IN ('scheduled', 'sending', 'done', 'cancelled', 'missed')
    ),
    created_at INTEGER NOT NULL,
    send_at INTEGER,
    started_at INTEGER,
    finished_at INTEGER,
    total INTEGER NOT NULL DEFAULT 0,
    -- The organizer's live status message, edited as the delivery goes.
    progress_chat_id INTEGER,
    progress_message_id INTEGER
) STRICT;

CREATE INDEX broadcasts_by_status ON broadcasts (status, send_at);

-- One row per recipient, written before the first send; the outcome is filled in as it
-- happens, so a restart resumes with exactly the rows still pending.
CREATE TABLE deliveries (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES supporters (user_id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (
        status IN ('pending', 'sent', 'blocked', 'failed', 'cancelled')
    ),
    message_id INTEGER,
    error TEXT,
    PRIMARY KEY (broadcast_id, user_id)
) STRICT, WITHOUT ROWID;

-- Erasing a supporter must find their deliveries without scanning every broadcast.
CREATE INDEX deliveries_by_user ON deliveries (user_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    -- NULL for the system (a scheduled send) or after the actor erased their data.
    actor_id INTEGER,
    action TEXT NOT NULL,
    subject_id INTEGER,
    detail TEXT NOT NULL DEFAULT ''
) STRICT;

-- Reminder cadence (issue 12): the organizer chooses an action's reminders when publishing.
-- default: one per REMINDER_OFFSETS; common: the day before at the same time, 09:00 city time
-- on the day (for an action starting after 11:00), and 30 minutes before. Kept with the
-- action, so a scheduled publication and a crash recovery plan the same reminders, and with
-- the draft, so a restart before Publish keeps the choice.
ALTER TABLE actions ADD COLUMN reminder_cadence TEXT NOT NULL DEFAULT 'default'
    CHECK (reminder_cadence IN ('default', 'common'));
ALTER TABLE drafts ADD COLUMN reminder_cadence TEXT NOT NULL DEFAULT 'default'
    CHECK (reminder_cadence IN ('default', 'common'));

-- A reminder is due either offset_seconds before the start, or at the wall time at_local
-- (like 09:00) on the start's local day: exactly one of the two. SQLite cannot drop a NOT
-- NULL in place, so the table is rebuilt; ids are kept (timers are named after them).
CREATE TABLE reminders_new (
    id INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    offset_seconds INTEGER,
    at_local TEXT CHECK (at_local GLOB '[0-2][0-9]:[0-5][0-9]'),
    due_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'skipped', 'missed', 'cancelled')),
    broadcast_id INTEGER REFERENCES broadcasts (id) ON DELETE SET NULL,
    CHECK ((offset_seconds IS NULL) <> (at_local IS NULL)),
    UNIQUE (action_id, offset_seconds),
    UNIQUE (action_id, at_local)
) STRICT;

INSERT INTO reminders_new (id, action_id, offset_seconds, at_local, due_at, status, broadcast_id)
SELECT id, action_id, offset_seconds, NULL, due_at, status, broadcast_id FROM reminders;

DROP TABLE reminders;

ALTER TABLE reminders_new RENAME TO reminders;

CREATE INDEX reminders_by_status ON reminders (status, due_at);

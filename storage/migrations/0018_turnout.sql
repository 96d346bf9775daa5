-- Turnout (issue 12): who came to an action, by checking in with its link, or by saying so
-- when asked afterwards. Stores an id and two facts, nothing else.

-- The check-in link's secret: random, unguessable, made the first time an organizer asks.
ALTER TABLE actions ADD COLUMN checkin_token TEXT;
CREATE UNIQUE INDEX actions_by_checkin_token ON actions (checkin_token)
    WHERE checkin_token IS NOT NULL;

CREATE TABLE attendance (
    action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES supporters (user_id) ON DELETE CASCADE,
    -- NULL: not checked in (the row holds only their answer to "Did you make it?").
    checked_in_at INTEGER,
    -- Their answer to "Did you make it?": self-reported, counted apart from check-ins.
    reported TEXT CHECK (reported IN ('yes', 'no')),
    PRIMARY KEY (action_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX attendance_by_user ON attendance (user_id);

-- When "Did you make it?" and the thank-yous went out (NULL: not yet): they go once.
ALTER TABLE actions ADD COLUMN followed_up_at INTEGER;

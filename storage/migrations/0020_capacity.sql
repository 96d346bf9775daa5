-- Capacity and waitlists (issue 12): actions with limited room (a bus, a training's seats).

-- How many people can come; NULL: no limit. A place is a 'yes' row in rsvps, so the places
-- taken are counted there, never kept as a number that could drift from the rows.
ALTER TABLE actions ADD COLUMN capacity INTEGER CHECK (capacity IS NULL OR capacity > 0);

-- Who waits for a place, and since when: an id and a time, nothing more. The line's order is
-- joined_at, with the table's own rowid (always above every row present when a row is
-- added) telling apart those who joined in the same second. A row here is instead of an
-- answer in rsvps, never beside a 'yes'.
CREATE TABLE waitlist (
    action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES supporters (user_id) ON DELETE CASCADE,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (action_id, user_id)
) STRICT;

CREATE INDEX waitlist_in_line ON waitlist (action_id, joined_at);
CREATE INDEX waitlist_by_user ON waitlist (user_id);

-- The capacity typed in /newaction, kept with the rest of the draft (NULL: no limit, or not
-- asked yet).
ALTER TABLE drafts ADD COLUMN capacity INTEGER;

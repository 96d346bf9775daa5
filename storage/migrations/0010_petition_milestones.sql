-- Milestones of a petition's count (25%, 50%, 75%, 100% of its goal, then every further
-- 10%): each is reached once, the row claiming it, and told once through the delivery
-- engine. A NULL broadcast means not told yet: start-up tells it (a crash came between).
CREATE TABLE petition_milestones (
    petition_id INTEGER NOT NULL REFERENCES petitions (id) ON DELETE CASCADE,
    percent INTEGER NOT NULL,
    reached_at INTEGER NOT NULL,
    -- To the author and the admins.
    broadcast_id INTEGER REFERENCES broadcasts (id),
    -- At 100%, to the signers who asked to hear how it goes.
    signers_broadcast_id INTEGER REFERENCES broadcasts (id),
    PRIMARY KEY (petition_id, percent)
) STRICT, WITHOUT ROWID;

-- "Tell me how it goes": the signer hears once, when the goal is reached.
ALTER TABLE signatures ADD COLUMN follow_up INTEGER NOT NULL DEFAULT 0 CHECK (follow_up IN (0, 1));

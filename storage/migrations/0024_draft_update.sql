-- The update a draft's step was taken by: after a crash, the inbox may hand the same update
-- over again (handling is at least once), and a conversation must not read one answer as
-- the answer to the next question.
ALTER TABLE drafts ADD COLUMN update_id INTEGER NOT NULL DEFAULT 0;

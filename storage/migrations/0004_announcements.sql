-- The broadcast that announced an action. Written in the same transaction as that
-- broadcast's recipient list and the action's reminders, so an action is either announced
-- completely or not at all; NULL on a published action means start-up must announce it.
ALTER TABLE actions ADD COLUMN announcement_id INTEGER REFERENCES broadcasts (id);

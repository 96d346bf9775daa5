-- Webhook mode answers an update 200 once it is recorded, and Telegram may deliver it again
-- (its answer was lost, or a proxy timed out). A handled update's row stays, its body
-- emptied, for as long as Telegram keeps updates (a day), so a repeat is known even after a
-- restart; polling needs no such marks (its offset confirms) and still deletes rows.
ALTER TABLE inbox ADD COLUMN handled_at INTEGER;

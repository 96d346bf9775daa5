-- Publish at…: an open petition with a publish_at and no announcement yet waits for its
-- time (and takes no signature before it); NULL publish_at: announced when created.
ALTER TABLE petitions ADD COLUMN publish_at INTEGER;

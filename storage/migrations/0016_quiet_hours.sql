-- Quiet hours (QUIET_HOURS, read on each city's clock).
--
-- urgent: the organizer chose to send into quiet hours anyway (a rapid-response alert); such
-- a broadcast is never held. Any other is checked again when it goes out, since the setting
-- or a city's zone may have changed since it was scheduled.
ALTER TABLE broadcasts ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1));

-- A broadcast to every city that met quiet hours somewhere is split: the broadcast itself
-- goes at once to the followers of the cities awake, and each city in quiet hours gets a
-- part, scheduled for the end of its quiet hours: part_of names the broadcast it continues
-- and part_city_id the city whose followers it reaches (each follower once across the parts,
-- see storage/broadcasts.py). A part is still a broadcast to all cities (all_cities = 1,
-- city_id NULL), so only who may reach every city may manage it.
ALTER TABLE broadcasts ADD COLUMN part_of INTEGER REFERENCES broadcasts (id) ON DELETE CASCADE;
ALTER TABLE broadcasts ADD COLUMN part_city_id INTEGER REFERENCES cities (id) ON DELETE CASCADE;

CREATE INDEX broadcasts_by_part ON broadcasts (part_of) WHERE part_of IS NOT NULL;

-- Campaign insight (/stats, issue 13): counts over a quarter of a million supporters that
-- read ranges of an index instead of sorting the table.
--
-- A city's follows by when they began: new followers in the last 7 and 30 days, and its
-- follower line over 90 days, one range per day (covering: the user id is the table's key).
CREATE INDEX subscriptions_by_city_since ON subscriptions (city_id, created_at);

-- Supporters by when they joined, with where from: new supporters per week by source, and
-- new in the last 7 and 30 days, without reading the table.
CREATE INDEX supporters_by_joined ON supporters (joined_at, source);

-- People Muster ignores and never messages. A ban keeps the person's id, when and by whom,
-- nothing else. No reference to supporters: a troll may never have sent /start, and a ban
-- must outlast whatever else is known about them. banned_by is NULL once that admin erased
-- their data.
CREATE TABLE bans (
    user_id INTEGER PRIMARY KEY,
    banned_at INTEGER NOT NULL,
    banned_by INTEGER
) STRICT;

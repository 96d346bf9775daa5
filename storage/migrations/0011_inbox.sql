-- Updates Telegram delivered and the bot has not finished handling. Each batch is written
-- here before the next getUpdates tells Telegram to forget it, and an update's row goes once
-- it is handled: a process killed mid-storm handles what is left here when it starts again.
-- Rows live for the seconds an update takes; secure_delete zeroes them when they go.
CREATE TABLE inbox (
    update_id INTEGER PRIMARY KEY,
    body TEXT NOT NULL
) STRICT;

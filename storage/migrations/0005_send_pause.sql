-- Until when Telegram told the bot to stop sending (a 429's retry_after that holds for every
-- chat), as UTC Unix seconds with fractions. One row: a restarted process must not send
-- inside a pause the previous one was told about.
CREATE TABLE send_pause (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    until REAL NOT NULL
) STRICT;

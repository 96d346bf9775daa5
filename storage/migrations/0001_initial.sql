-- Supporters, cities and who follows which. The least that works: a Telegram user id,
-- a language, where they came from, and whether we may message them. No names, no phones.
CREATE TABLE supporters (
    user_id INTEGER PRIMARY KEY,
    language TEXT NOT NULL CHECK (language IN ('en', 'es')),
    joined_at INTEGER NOT NULL,
    -- "city:<slug>" or "ref:<code>" from the deep link of first contact, else NULL.
    source TEXT,
    -- active: receives alerts; paused: said /stop; unreachable: blocked the bot.
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'unreachable'))
) STRICT;

CREATE TABLE cities (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE subscriptions (
    user_id INTEGER NOT NULL REFERENCES supporters (user_id) ON DELETE CASCADE,
    city_id INTEGER NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, city_id)
) STRICT, WITHOUT ROWID;

-- Broadcasts read a city's followers in user id order.
CREATE INDEX subscriptions_by_city ON subscriptions (city_id, user_id);

-- Petitions: a demand addressed to a target, announced to a city's (or every city's)
-- followers, signed in one tap. The count is the signatures themselves, kept exact by the
-- triggers below whatever removes a signature (a withdrawal, or erasure's cascade).
CREATE TABLE petitions (
    id INTEGER PRIMARY KEY,
    -- NULL: every city (an admin's petition).
    city_id INTEGER REFERENCES cities (id) ON DELETE CASCADE,
    -- NULL once the author has erased their data.
    author_id INTEGER,
    title TEXT NOT NULL,
    -- The petition's text as HTML, the organizer's Telegram formatting kept.
    demand TEXT NOT NULL,
    target TEXT NOT NULL,
    goal INTEGER NOT NULL CHECK (goal > 0),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    signatures INTEGER NOT NULL DEFAULT 0 CHECK (signatures >= 0),
    -- The broadcast that announced it; written with the broadcast's recipients, so a petition
    -- is announced completely or not at all.
    announcement_id INTEGER REFERENCES broadcasts (id),
    created_at INTEGER NOT NULL,
    closed_at INTEGER
) STRICT;

CREATE INDEX petitions_by_status ON petitions (status, city_id);

-- One signature per person and petition: the primary key, not a read before the write.
CREATE TABLE signatures (
    petition_id INTEGER NOT NULL REFERENCES petitions (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES supporters (user_id) ON DELETE CASCADE,
    -- The city it counts for: the petition's, or for an every-city petition the signer's
    -- city if they follow exactly one (NULL otherwise).
    city_id INTEGER,
    signed_at INTEGER NOT NULL,
    PRIMARY KEY (petition_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX signatures_by_user ON signatures (user_id);
CREATE INDEX signatures_by_time ON signatures (petition_id, signed_at);
CREATE INDEX signatures_by_city ON signatures (petition_id, city_id);

CREATE TRIGGER signature_counted AFTER INSERT ON signatures
BEGIN
    UPDATE petitions SET signatures = signatures + 1 WHERE id = NEW.petition_id;
END;

CREATE TRIGGER signature_uncounted AFTER DELETE ON signatures
BEGIN
    UPDATE petitions SET signatures = signatures - 1 WHERE id = OLD.petition_id;
END;

-- Drafts of petitions: /newpetition keeps its draft at every step, as /newaction does. SQLite
-- cannot widen a CHECK in place, so the table is rebuilt with the new kind and columns.
CREATE TABLE drafts_new (
    user_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('broadcast', 'action', 'petition')),
    step INTEGER NOT NULL,
    city_id INTEGER,
    all_cities INTEGER NOT NULL DEFAULT 0 CHECK (all_cities IN (0, 1)),
    title TEXT NOT NULL DEFAULT '',
    starts_at INTEGER NOT NULL DEFAULT 0,
    place TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '',
    action_id INTEGER NOT NULL DEFAULT 0,
    body TEXT,
    photo_file_id TEXT,
    updated_at INTEGER NOT NULL,
    version_language TEXT,
    target TEXT NOT NULL DEFAULT '',
    goal INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, kind)
) STRICT;

INSERT INTO drafts_new (user_id, kind, step, city_id, all_cities, title, starts_at, place,
    details, action_id, body, photo_file_id, updated_at, version_language)
SELECT user_id, kind, step, city_id, all_cities, title, starts_at, place, details, action_id,
    body, photo_file_id, updated_at, version_language FROM drafts;

DROP TABLE drafts;

ALTER TABLE drafts_new RENAME TO drafts;

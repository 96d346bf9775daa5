-- One row that /healthz rewrites to prove the database takes writes: a change committed and
-- synced to disk as every change is, which a lock alone (BEGIN IMMEDIATE; ROLLBACK) would not
-- prove, since it writes nothing. checked_at is when it last did, as UTC Unix seconds.
CREATE TABLE health (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at INTEGER NOT NULL
) STRICT;

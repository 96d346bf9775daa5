-- Names on the list handed over on delivery day: asked of signers only when the organizer
-- chose to collect them, optional for each signer, and erased with the signature.
ALTER TABLE petitions ADD COLUMN collect_names INTEGER NOT NULL DEFAULT 0
    CHECK (collect_names IN (0, 1));
-- As the signer wrote it (plain text, at most 100 characters); NULL: counted as anonymous.
ALTER TABLE signatures ADD COLUMN name TEXT;
-- Asked for a name and not yet answered: their next plain message is the name.
ALTER TABLE signatures ADD COLUMN name_asked INTEGER NOT NULL DEFAULT 0
    CHECK (name_asked IN (0, 1));
CREATE INDEX signatures_asking ON signatures (user_id) WHERE name_asked = 1;
ALTER TABLE drafts ADD COLUMN collect_names INTEGER NOT NULL DEFAULT 0;

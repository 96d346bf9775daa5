-- Retention: the per-recipient rows of a broadcast finished longer ago than
-- DELIVERY_RETENTION are folded into one count per outcome here, then deleted. A broadcast's
-- counts are these plus the rows still in deliveries.
CREATE TABLE delivery_counts (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (
        status IN ('pending', 'sent', 'blocked', 'failed', 'cancelled')
    ),
    count INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (broadcast_id, status)
) STRICT, WITHOUT ROWID;

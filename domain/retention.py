"""Retention: Muster keeps who got a broadcast only as long as DELIVERY_RETENTION, and its
audit log as long as AUDIT_RETENTION. What goes is zeroed on disk, as for erasure."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.delivery import DeliveryEngine
from storage import Database
from storage import retention as store

log = logging.getLogger(__name__)

# Rows folded or deleted per transaction. The bot has one connection, so a batch holds every
# other read and write for its duration: a few milliseconds at this size, where a million
# rows at once would hold them for seconds.
BATCH = 2000


@dataclass(frozen=True, slots=True)
class Swept:
    """What one pass removed."""

    broadcasts: int = 0  # broadcasts whose rows per recipient were folded into counts
    deliveries: int = 0  # those rows
    audit_entries: int = 0


class Retention:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        engine: DeliveryEngine,
        deliveries: timedelta,
        audit: timedelta,
        batch: int = BATCH,
    ) -> None:
        self.db = db
        self.clock = clock
        self.engine = engine
        self.deliveries = deliveries
        self.audit = audit
        self.batch = batch
        # The daily pass and the one at start-up must not fold the same rows side by side.
        self._lock = asyncio.Lock()

    async def sweep(self) -> Swept:
        """Folds the rows per recipient of broadcasts finished longer ago than the delivery
        retention into per-broadcast counts, deletes audit entries older than the audit
        retention, then empties the WAL so the deleted rows' old page images go too."""
        async with self._lock:
            now = self.clock.now()
            broadcasts, deliveries = await self._fold(int(now - self.deliveries.total_seconds()))
            audit_entries = await self._forget_audit(int(now - self.audit.total_seconds()))
            if deliveries or audit_entries:
                await self.db.checkpoint()
        swept = Swept(broadcasts, deliveries, audit_entries)
        if deliveries or audit_entries:
            log.info(
                "retention: folded %s delivery rows of %s broadcasts, deleted %s audit entries",
                deliveries,
                broadcasts,
                audit_entries,
            )
        return swept

    async def _fold(self, finished_before: int) -> tuple[int, int]:
        broadcasts = rows = 0
        for broadcast_id in await store.foldable(self.db, finished_before):
            if broadcast_id in self.engine.runs:
                # Cancelled but its sends in flight not yet settled: their outcomes are still
                # to be written over these rows.
                continue
            broadcasts += 1
            while folded := await store.fold(self.db, broadcast_id, self.batch):
                rows += folded
        return broadcasts, rows

    async def _forget_audit(self, before: int) -> int:
        deleted = 0
        while forgotten := await store.forget_audit(self.db, before, self.batch):
            deleted += forgotten
        return deleted

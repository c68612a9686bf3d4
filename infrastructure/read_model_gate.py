"""Which read models this process may serve while releases overlap (a release rolled out process by process).

A web process of a newer release than the one that built a read model's tables would read tables that lack what it
reads (a column, a count it keeps), and answer 500 or a wrong total: until its release's worker has rebuilt them, it
answers 503 instead (and `/api/ready` says so, so a proxy keeps traffic on the processes that can serve). A process
of an older release than the one that rebuilt them serves on while the tables still hold every table and column its
definition reads. The records are read again at most every ``ttl`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import Engine

from infrastructure.blue_green import Fingerprints, Standing
from infrastructure.projection import Projection
from infrastructure.schema_upgrade import lacking


class ReadModelGate:
    """The read models this process may not serve now, re-read at most every ``ttl`` seconds."""

    def __init__(self, engine: Engine, fingerprints: Fingerprints, projections: Sequence[Projection],
                 ttl: float = 2.0):
        self.engine = engine
        self.fingerprints = fingerprints
        self.projections = list(projections)
        self.ttl = ttl
        self._until = 0.0
        self._closed: list[str] = []
        self._fits: dict[tuple[str, str | None], bool] = {}  # (name, stored definition) -> tables hold ours

    def closed(self) -> list[str]:
        """Names of the read models built to a definition this process cannot read (empty: serve everything)."""
        now = time.monotonic()
        if now >= self._until:
            self._closed = self._read()
            self._until = now + self.ttl
        return self._closed

    def _read(self) -> list[str]:
        standings = self.fingerprints.standings(self.projections)
        closed = [name for name, standing in standings.items() if standing is Standing.PENDING]
        superseded = [p for p in self.projections if standings[p.name] is Standing.SUPERSEDED]
        if superseded:
            stored = {p.name: self.fingerprints.stored(p.name) for p in superseded}
            unknown = [p for p in superseded if (p.name, stored[p.name]) not in self._fits]
            if unknown:
                short = set(lacking(self.engine, unknown))
                self._fits.update({(p.name, stored[p.name]): p.name not in short for p in unknown})
            closed += [p.name for p in superseded if not self._fits[(p.name, stored[p.name])]]
        return sorted(closed)

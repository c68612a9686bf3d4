"""The ledger stamp of a printed document: the log positions of the events it shows and one digest over their
hash-chain content digests, so a printed page can be checked against the log (`jejak ledger document-check`)."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from sqlalchemy import Engine, bindparam, text

from infrastructure.chain import CHAIN_TABLE


class Positions(Protocol):
    """The audit index's log positions of one aggregate's events."""

    def positions(self, aggregate_id: UUID) -> dict[int, int]:
        """Version -> log position."""


@dataclass(frozen=True)
class Stamp:
    """Where in the log a document stands and what it shows."""

    head: int  # the log's last position when the document was made
    positions: tuple[int, ...]  # the events shown
    digest: str  # SHA-256 over (position, content digest) of each, in log order

    @property
    def ranges(self) -> str:
        """The positions compactly, like 12, 15-19."""
        return compact(self.positions)


def compact(positions: Sequence[int]) -> str:
    """Sorted positions as comma-separated runs."""
    runs: list[str] = []
    start = prev = None
    for p in sorted(positions):
        if start is None:
            start = prev = p
        elif prev is not None and p == prev + 1:
            prev = p
        else:
            runs.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = prev = p
    if start is not None:
        runs.append(f"{start}" if start == prev else f"{start}-{prev}")
    return ", ".join(runs)


def expand(ranges: str) -> list[int]:
    """The positions of a compact list (the inverse of ``compact``)."""
    out: list[int] = []
    for part in filter(None, (p.strip() for p in ranges.split(","))):
        low, _, high = part.partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return out


def digest_of(engine: Engine, positions: Iterable[int]) -> str:
    """The digest over the chain content digests of these positions (a missing position is an error)."""
    wanted = sorted(set(positions))
    found: dict[int, bytes] = {}
    query = text(f"SELECT position, content FROM {CHAIN_TABLE} WHERE position IN :p").bindparams(
        bindparam("p", expanding=True))
    with engine.connect() as conn:
        for low in range(0, len(wanted), 500):
            for position, content in conn.execute(query, {"p": wanted[low:low + 500]}):
                found[int(position)] = bytes(content)
    missing = [p for p in wanted if p not in found]
    if missing:
        raise LookupError(f"positions not in the log: {compact(missing)}")
    h = hashlib.sha256()
    for p in wanted:
        h.update(struct.pack(">Q", p) + found[p])
    return h.hexdigest()


def stamp(engine: Engine, audit: Positions, head: int, shown: Iterable[tuple[UUID, int]]) -> Stamp:
    """The stamp of a document showing each aggregate up to a version."""
    positions: set[int] = set()
    for aggregate_id, version in shown:
        by_version = audit.positions(aggregate_id)
        positions.update(p for v, p in by_version.items() if v <= version)
    return Stamp(head, tuple(sorted(positions)), digest_of(engine, positions))

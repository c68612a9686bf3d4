"""Recompute the hash chain from the stored rows and check every seal: intact, or where it breaks."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from sqlalchemy import Engine, text

from infrastructure.chain import GENESIS, content_digest, link_digest, stored_content_digest
from infrastructure.seals import Seal, SealStore, public_from_hex, public_hex, signature_valid

BATCH = 10_000
PARALLEL_FROM = 200_000  # events from which a second process pays for its start (about half a CPU-second)


@dataclass(frozen=True)
class Finding:
    """The first place where the stored log departs from its chain."""

    position: int
    kind: str  # changed | removed | inserted | reordered | chain-altered
    detail: str


@dataclass(frozen=True)
class CheckpointResult:
    """One seal's verdict."""

    seal_id: int
    position: int
    signature_valid: bool
    matches_log: bool
    problem: str | None


@dataclass
class Verification:
    """The outcome of verifying the ledger."""

    events: int = 0
    head_position: int = 0
    head_digest: str = ""
    first_problem: Finding | None = None
    checkpoints: list[CheckpointResult] = field(default_factory=list)
    trusted_key: str | None = None

    @property
    def intact(self) -> bool:
        """True when no row departs from the chain and every seal holds."""
        return self.first_problem is None and all(c.signature_valid and c.matches_log for c in self.checkpoints)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON and the CLI."""
        return {
            "status": "intact" if self.intact else "broken",
            "events": self.events,
            "head_position": self.head_position,
            "head_digest": self.head_digest,
            "first_problem": vars(self.first_problem) if self.first_problem else None,
            "checkpoints": [vars(c) for c in self.checkpoints],
            "trusted_key": self.trusted_key,
        }


def _events(recorder: ApplicationRecorder) -> Iterator[Any]:
    start = 1
    while True:
        batch = recorder.select_notifications(start=start, limit=BATCH)
        if not batch:
            return
        yield from batch
        start = batch[-1].id + 1


def _digests(recorder: ApplicationRecorder) -> Iterator[tuple[int, bytes]]:
    """Each stored event's position and content digest, in log order, in this process."""
    for event in _events(recorder):
        yield event.id, content_digest(event.originator_id, event.originator_version, event.topic, event.state)


def _rows_digested(db_name: str, table: str, start: int, stop: int) -> Iterator[tuple[int, bytes]]:
    """(position, content digest) of the stored rows in ``[start, stop]`` of an SQLite log, read in batches on
    a connection of its own."""
    conn = sqlite3.connect(f"file:{db_name}?mode=ro", uri=True, timeout=30)
    try:
        low = start
        while low <= stop:
            high = min(low + BATCH - 1, stop)
            rows = conn.execute(f"SELECT rowid, originator_id, originator_version, topic, state FROM {table} "
                                "WHERE rowid BETWEEN ? AND ? ORDER BY rowid", (low, high)).fetchall()
            for position, originator_id, version, topic, state in rows:
                yield position, stored_content_digest(originator_id, version, topic, state)
            low = high + 1
    finally:
        conn.close()


def digest_range(db_name: str, table: str, start: int, stop: int) -> bytes:
    """A range's row count (8 bytes), positions (int64 array) and content digests (32 bytes each), as a worker
    process writes them to its standard output."""
    positions, digests = array("q"), bytearray()
    for position, digest in _rows_digested(db_name, table, start, stop):
        positions.append(position)
        digests += digest
    return len(positions).to_bytes(8, "big") + positions.tobytes() + bytes(digests)


def _digests_in_parallel(db_name: str, table: str, head: int, workers: int) -> Iterator[tuple[int, bytes]]:
    """As ``_digests`` up to ``head``, the log cut into ``workers`` ranges: this process streams the first one
    (so progress shows) while worker processes hash the others. A worker is a fresh interpreter
    (``python -m infrastructure.verify``), not a fork or a multiprocessing spawn: it inherits no SQLite
    connection or lock and never re-runs the caller's main module."""
    bounds = [round(head * i / workers) for i in range(workers + 1)]
    ranges = [(bounds[i] + 1, bounds[i + 1]) for i in range(workers)]
    children = [subprocess.Popen([sys.executable, "-m", "infrastructure.verify", db_name, table, str(a), str(b)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE) for a, b in ranges[1:]]
    try:
        yield from _rows_digested(db_name, table, *ranges[0])
        for child in children:
            out, err = child.communicate()
            if child.returncode != 0:
                raise RuntimeError(f"verify worker failed: {err.decode(errors='replace')[-2000:]}")
            count = int.from_bytes(out[:8], "big")
            positions = array("q")
            positions.frombytes(out[8:8 + 8 * count])
            digests = out[8 + 8 * count:]
            for i, position in enumerate(positions):
                yield position, digests[32 * i:32 * i + 32]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()


def _chain(engine: Engine, stop: int | None = None) -> Iterator[tuple[int, bytes, bytes]]:
    after = 0
    bound = "" if stop is None else f" AND position <= {int(stop)}"
    while True:
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT position, digest, content FROM ledger_chain WHERE position > :after"
                                     f"{bound} ORDER BY position LIMIT :n"), {"after": after, "n": BATCH}).all()
        if not rows:
            return
        for position, digest, content in rows:
            yield int(position), bytes(digest), bytes(content)
        after = int(rows[-1][0])


def _position_of_content(engine: Engine, content: bytes) -> int | None:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT position FROM ledger_chain WHERE content = :c LIMIT 1"), {"c": content}).first()
    return int(row[0]) if row else None


class Verifier:
    """Walks the log and the chain side by side."""

    def __init__(self, engine: Engine, recorder: ApplicationRecorder, seals: SealStore):
        self.engine = engine
        self.recorder = recorder
        self.seals = seals
        # Content digests are independent of each other: on an SQLite file they are computed on both cores.
        self.workers = min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
        self.parallel_from = PARALLEL_FROM

    def verify(self, trusted: Ed25519PublicKey | None = None, progress: Callable[[int], None] | None = None
               ) -> Verification:
        """Recompute every digest from the stored rows; report the first departure and each seal's verdict."""
        result = Verification(trusted_key=public_hex(trusted) if trusted else None)
        recomputed: dict[int, bytes] = {}
        wanted = {s.position for s in self.seals.all()}
        previous = GENESIS
        events, chain = self._digested()
        event, link = next(events, None), next(chain, None)
        while event is not None or link is not None:
            if event is not None and (link is None or event[0] < link[0]):
                self._found(result, event[0], "inserted", "a stored event has no chain entry")
                event = next(events, None)
                continue
            if link is None:  # nothing left on either side
                break
            if event is None or link[0] < event[0]:
                self._found(result, link[0], "removed", "the chain records an event that is no longer stored")
                link = next(chain, None)
                continue
            position, digest, content = link
            actual = event[1]
            if actual != content:
                self._mismatch(result, position, actual)
            if link_digest(previous, position, content) != digest:
                self._found(result, position, "chain-altered", "the chain entry does not follow from its predecessor")
            previous = link_digest(previous, position, actual)
            if position in wanted:
                recomputed[position] = previous
            result.events += 1
            result.head_position, result.head_digest = position, previous.hex()
            if progress and result.events % 1000 == 0:
                progress(1000)
            event, link = next(events, None), next(chain, None)
        if progress:
            progress(result.events % 1000)
        self._check_seals(result, recomputed, trusted)
        return result

    def _digested(self) -> tuple[Iterator[tuple[int, bytes]], Iterator[tuple[int, bytes, bytes]]]:
        """The stored events' (position, content digest) and the chain's rows, side by side: for a large SQLite
        file up to the head as it is now, the digests computed on several cores; otherwise as they come."""
        recorder = self.recorder
        if isinstance(recorder, SQLiteApplicationRecorder) and not recorder.datastore.pool.is_sqlite_memory_mode \
                and self.workers > 1:
            head = int(recorder.max_notification_id() or 0)
            if head >= self.parallel_from:
                return (_digests_in_parallel(recorder.datastore.pool.db_name, recorder.events_table_name, head,
                                             self.workers), _chain(self.engine, head))
        return _digests(recorder), _chain(self.engine)

    def _mismatch(self, result: Verification, position: int, actual: bytes) -> None:
        elsewhere = _position_of_content(self.engine, actual) if result.first_problem is None else None
        if elsewhere is not None and elsewhere != position:
            self._found(result, position, "reordered", f"holds the row recorded at position {elsewhere}")
        else:
            self._found(result, position, "changed", "the stored row differs from what was recorded")

    @staticmethod
    def _found(result: Verification, position: int, kind: str, detail: str) -> None:
        if result.first_problem is None:
            result.first_problem = Finding(position, kind, detail)

    def _check_seals(self, result: Verification, recomputed: dict[int, bytes], trusted: Ed25519PublicKey | None
                     ) -> None:
        for seal in self.seals.all():
            key = trusted or public_from_hex(seal.public_key)
            valid = signature_valid(seal, key)
            matches, problem = self._seal_matches(seal, recomputed, result)
            if not valid:
                problem = "signature does not verify" + (f"; {problem}" if problem else "")
            result.checkpoints.append(CheckpointResult(seal.id, seal.position, valid, matches, problem))

    @staticmethod
    def _seal_matches(seal: Seal, recomputed: dict[int, bytes], result: Verification) -> tuple[bool, str | None]:
        if seal.position not in recomputed:
            if result.first_problem is None or result.first_problem.position > seal.position:
                result.first_problem = Finding(min(result.head_position + 1, seal.position), "removed",
                                               f"the log ends before sealed position {seal.position}")
            return False, f"sealed position {seal.position} is missing from the log"
        if recomputed[seal.position] != seal.digest:
            first = result.first_problem
            where = f"; first departure at position {first.position}" if first else ""
            return False, f"the log up to position {seal.position} differs from what was sealed{where}"
        return True, None


if __name__ == "__main__":  # a verify worker: python -m infrastructure.verify DB TABLE START STOP
    sys.stdout.buffer.write(digest_range(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))

"""Recompute the hash chain from the stored rows and check every seal: intact, or where it breaks."""

from __future__ import annotations

import hashlib
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
    """One seal's verdict: ``signature`` is verified (by the trusted key), invalid, or unverified (no trusted key:
    a seal that verifies only against the key stored beside it proves nothing)."""

    seal_id: int
    position: int
    signature_valid: bool | None
    matches_log: bool
    problem: str | None
    signature: str = "unverified"
    kept_in: str = "database"  # database, export or both


@dataclass
class Verification:
    """The outcome of verifying the ledger."""

    events: int = 0
    head_position: int = 0
    head_digest: str = ""
    first_problem: Finding | None = None
    checkpoints: list[CheckpointResult] = field(default_factory=list)
    trusted_key: str | None = None
    problems: list[str] = field(default_factory=list)  # beyond the chain: the seal export, the read models

    @property
    def broken(self) -> bool:
        """True when a row departs from the chain, a seal fails, or anything else was found tampered."""
        return self.first_problem is not None or bool(self.problems) or any(
            c.signature == "invalid" or not c.matches_log for c in self.checkpoints)

    @property
    def status(self) -> str:
        """intact (a trusted key verified a seal and nothing is broken), broken, or unverified (nothing broken
        found, but no seal was checked against a trusted key, so a rewritten chain would look the same)."""
        if self.broken:
            return "broken"
        verified = any(c.signature == "verified" for c in self.checkpoints)
        return "intact" if self.trusted_key and verified else "unverified"

    @property
    def intact(self) -> bool:
        """True only when the status is intact."""
        return self.status == "intact"

    @property
    def unsealed_events(self) -> int:
        """Events after the last seal the trusted key verified (all of them when none was)."""
        sealed = [c.position for c in self.checkpoints if c.signature == "verified" and c.matches_log]
        return self.head_position - max(sealed, default=0)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON and the CLI."""
        return {
            "status": self.status,
            "events": self.events,
            "head_position": self.head_position,
            "head_digest": self.head_digest,
            "first_problem": vars(self.first_problem) if self.first_problem else None,
            "checkpoints": [vars(c) for c in self.checkpoints],
            "trusted_key": self.trusted_key,
            "unsealed_events": self.unsealed_events,
            "problems": self.problems,
        }


@dataclass(frozen=True)
class RawEvent:
    """One stored row exactly as the database holds it (no decoding that could fail on a tampered row)."""

    id: int
    originator_id: Any
    originator_version: Any
    topic: Any
    state: Any


def events_source(recorder: ApplicationRecorder) -> tuple[str, str]:
    """The events table and its position column, as the recorder names them."""
    table = str(getattr(recorder, "events_table_name", "stored_events"))
    return (table, "notification_id") if "postgres" in type(recorder).__module__ else (table, "rowid")


def _events(engine: Engine, recorder: ApplicationRecorder) -> Iterator[RawEvent]:
    """Every stored row in log order, read raw: a row turned into text or a malformed id must not stop the walk."""
    table, position = events_source(recorder)
    if engine.dialect.name == "sqlite":  # SQLite stores any type in any column; read bytes, decode here
        columns = (f"{position}, CAST(originator_id AS BLOB), originator_version, CAST(topic AS BLOB), "
                   "CASE WHEN typeof(state) = 'blob' THEN state END")
    else:
        columns = f"{position}, CAST(originator_id AS text), originator_version, topic, state"
    after = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT {columns} FROM {table} WHERE {position} > :after "
                                     f"ORDER BY {position} LIMIT :n"), {"after": after, "n": BATCH}).all()
        if not rows:
            return
        for row in rows:
            yield RawEvent(int(row[0]), _text(row[1]), row[2], _text(row[3]), row[4])
        after = int(rows[-1][0])


def _text(value: Any) -> Any:
    """Text read as bytes decoded strictly; undecodable bytes stay bytes, which the content check refuses."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return None
    return value


def _content(event: RawEvent, digest: Callable[..., bytes] = content_digest) -> bytes | None:
    """The row's content digest, or None when the row is malformed (wrong types, bad id)."""
    state, topic, version = event.state, event.topic, event.originator_version
    if not isinstance(state, (bytes, bytearray, memoryview)) or not isinstance(topic, str) \
            or not isinstance(version, int) or isinstance(version, bool):
        return None
    try:
        return digest(event.originator_id, version, topic, bytes(state))
    except (ValueError, TypeError, AttributeError, OverflowError):
        return None


def _digests(engine: Engine, recorder: ApplicationRecorder) -> Iterator[tuple[int, bytes | None]]:
    """Each stored row's position and content digest (None: malformed), in log order, in this process."""
    for event in _events(engine, recorder):
        yield event.id, _content(event)


def _stored_digest(originator_id: Any, version: int, topic: str, state: bytes) -> bytes:
    """``content_digest``, without parsing a UUID when the id is canonical text (the same digest)."""
    if isinstance(originator_id, str):
        return stored_content_digest(originator_id, version, topic, state)
    return content_digest(originator_id, version, topic, state)


def _rows_digested(db_name: str, table: str, start: int, stop: int) -> Iterator[tuple[int, bytes | None]]:
    """As ``_digests`` for the rows in ``[start, stop]`` of an SQLite file, read (the same way as ``_events``) on a
    connection of its own."""
    conn = sqlite3.connect(f"file:{db_name}?mode=ro", uri=True, timeout=30)
    try:
        low = start
        while low <= stop:
            high = min(low + BATCH - 1, stop)
            rows = conn.execute(f"SELECT rowid, CAST(originator_id AS BLOB), originator_version, CAST(topic AS BLOB), "
                                f"CASE WHEN typeof(state) = 'blob' THEN state END FROM {table} "
                                "WHERE rowid BETWEEN ? AND ? ORDER BY rowid", (low, high)).fetchall()
            for row in rows:
                event = RawEvent(int(row[0]), _text(row[1]), row[2], _text(row[3]), row[4])
                yield event.id, _content(event, _stored_digest)
            low = high + 1
    finally:
        conn.close()


def digest_range(db_name: str, table: str, start: int, stop: int) -> bytes:
    """A range's row count (8 bytes), positions (int64 array) and one 33-byte record per row (a flag byte, 1 for
    a malformed row, and the digest), as a worker process writes them to its standard output."""
    positions, records = array("q"), bytearray()
    for position, digest in _rows_digested(db_name, table, start, stop):
        positions.append(position)
        records += b"\x00" + digest if digest is not None else b"\x01" + bytes(32)
    return len(positions).to_bytes(8, "big") + positions.tobytes() + bytes(records)


def _digests_in_parallel(db_name: str, table: str, head: int, workers: int) -> Iterator[tuple[int, bytes | None]]:
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
            records = out[8 + 8 * count:]
            for i, position in enumerate(positions):
                record = records[33 * i:33 * i + 33]
                yield position, (record[1:] if record[0] == 0 else None)
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
            rows = conn.execute(text(f"SELECT position, {_bytes('digest', engine)}, {_bytes('content', engine)} "
                                     f"FROM ledger_chain WHERE position > :after{bound} ORDER BY position LIMIT :n"),
                                {"after": after, "n": BATCH}).all()
        if not rows:
            return
        for position, digest, content in rows:
            yield int(position), _blob(digest), _blob(content)
        after = int(rows[-1][0])


def _bytes(column: str, engine: Engine) -> str:
    """A blob column as bytes only when SQLite still holds bytes there (text would not decode, or would pass)."""
    return f"CASE WHEN typeof({column}) = 'blob' THEN {column} END" if engine.dialect.name == "sqlite" else column


def _blob(value: Any) -> bytes:
    """Stored bytes; a value turned into text (or anything else) reads as empty, so it matches no digest."""
    return bytes(value) if isinstance(value, (bytes, bytearray, memoryview)) else b""


def _self_consistent(seal: Seal) -> bool:
    """Whether the seal verifies against the key stored with it (false: altered after signing)."""
    try:
        return signature_valid(seal, public_from_hex(seal.public_key))
    except ValueError:
        return False


def _position_of_content(engine: Engine, content: bytes) -> int | None:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT position FROM ledger_chain WHERE content = :c LIMIT 1"), {"c": content}).first()
    return int(row[0]) if row else None


class Verifier:
    """Walks the log and the chain side by side."""

    def __init__(self, engine: Engine, recorder: ApplicationRecorder, seals: SealStore,
                 trusted: Callable[[], Ed25519PublicKey | None] | None = None):
        self.engine = engine
        self.recorder = recorder
        self.seals = seals
        self.trusted = trusted or (lambda: None)
        self.checks: list[Callable[[], list[str]]] = []  # further checks (the security read models)
        # Content digests are independent of each other: on a large SQLite file they are computed on both cores.
        self.workers = min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
        self.parallel_from = PARALLEL_FROM

    def verify(self, trusted: Ed25519PublicKey | None = None, progress: Callable[[int], None] | None = None
               ) -> Verification:
        """Recompute every digest from the stored rows; report the first departure and each seal's verdict,
        against the given trusted key or the configured one (never a key stored in the database)."""
        trusted = trusted or self.trusted()
        result = Verification(trusted_key=public_hex(trusted) if trusted else None)
        recomputed: dict[int, bytes] = {}
        all_seals = self._all_seals(result)
        wanted = {s.position for s, _ in all_seals}
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
            computed = event[1]
            if computed is None:
                self._found(result, position, "changed", "the stored row is malformed (a field of the wrong type "
                                                         "or an unreadable id)")
                actual = hashlib.sha256(b"malformed").digest()  # matches nothing: every later seal breaks
            else:
                actual = computed
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
        self._check_seals(result, all_seals, recomputed, trusted)
        for check in self.checks:
            result.problems.extend(check())
        return result

    def _digested(self) -> tuple[Iterator[tuple[int, bytes | None]], Iterator[tuple[int, bytes, bytes]]]:
        """The stored rows' (position, content digest) and the chain's rows, side by side: for a large SQLite
        file up to the head as it is now, the digests computed on several cores; otherwise as they come."""
        recorder = self.recorder
        if isinstance(recorder, SQLiteApplicationRecorder) and not recorder.datastore.pool.is_sqlite_memory_mode \
                and self.workers > 1:
            head = int(recorder.max_notification_id() or 0)
            if head >= self.parallel_from:
                return (_digests_in_parallel(recorder.datastore.pool.db_name, events_source(recorder)[0], head,
                                             self.workers), _chain(self.engine, head))
        return _digests(self.engine, recorder), _chain(self.engine)

    def _all_seals(self, result: Verification) -> list[tuple[Seal, str]]:
        """The seals in the database and in the export, each once, with where it is kept."""
        stored = self.seals.all()
        exported, problems = self.seals.export.read()
        result.problems.extend(problems)
        by_signature = {s.signature: s for s in stored}
        kept = [(s, "database") for s in stored]
        for seal in exported:
            if seal.signature in by_signature:
                index = stored.index(by_signature[seal.signature])
                if by_signature[seal.signature] != seal:
                    result.problems.append(f"seal {seal.id} in the database differs from its exported copy")
                kept[index] = (kept[index][0], "both")
            else:
                result.problems.append(f"the exported seal of position {seal.position} ({seal.sealed_at.isoformat()})"
                                       " is missing from the database")
                kept.append((seal, "export"))
        return kept

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

    def _check_seals(self, result: Verification, all_seals: list[tuple[Seal, str]], recomputed: dict[int, bytes],
                     trusted: Ed25519PublicKey | None) -> None:
        for seal, kept_in in all_seals:
            if trusted is not None:
                valid: bool | None = signature_valid(seal, trusted)
                verdict = "verified" if valid else "invalid"
            else:  # the stored key can only show a seal was altered after signing, never that it is genuine
                valid = None if _self_consistent(seal) else False
                verdict = "unverified" if valid is None else "invalid"
            matches, problem = self._seal_matches(seal, recomputed, result)
            if verdict == "invalid":
                problem = "signature does not verify" + (f"; {problem}" if problem else "")
            result.checkpoints.append(CheckpointResult(seal.id, seal.position, valid, matches, problem, verdict,
                                                       kept_in))

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

"""Recompute the hash chain from the stored rows and check every seal: intact, or where it breaks."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from sqlalchemy import Engine, text

from infrastructure.chain import GENESIS, content_digest, link_digest
from infrastructure.seals import Seal, SealStore, public_from_hex, public_hex, signature_valid
from infrastructure.verify_range import RangeCheck, run_job

BATCH = 10_000
PARALLEL_FROM = 100_000  # events from which a second process pays for its start (a worker: ~50 ms of CPU)


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


def _events(engine: Engine, recorder: ApplicationRecorder, after: int = 0, stop: int | None = None
            ) -> Iterator[RawEvent]:
    """The stored rows after ``after`` (up to ``stop``) in log order, read raw: a row turned into text or a
    malformed id must not stop the walk."""
    table, position = events_source(recorder)
    if engine.dialect.name == "sqlite":  # SQLite stores any type in any column; read bytes, decode here
        columns = (f"{position}, CAST(originator_id AS BLOB), originator_version, CAST(topic AS BLOB), "
                   "CASE WHEN typeof(state) = 'blob' THEN state END")
    else:
        columns = f"{position}, CAST(originator_id AS text), originator_version, topic, state"
    bound = "" if stop is None else f" AND {position} <= {int(stop)}"
    while True:
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT {columns} FROM {table} WHERE {position} > :after{bound} "
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


def _digests(engine: Engine, recorder: ApplicationRecorder, after: int, stop: int | None
             ) -> Iterator[tuple[int, bytes | None]]:
    """Each stored row's position and content digest (None: malformed), in log order."""
    for event in _events(engine, recorder, after, stop):
        yield event.id, _content(event)


def _chain(engine: Engine, after: int = 0, stop: int | None = None) -> Iterator[tuple[int, bytes, bytes]]:
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


def _suspect_on_error(job: dict[str, Any], check: Callable[[], RangeCheck]) -> RangeCheck:
    """A range check's verdict; one that failed (a worker that could not start or read) leaves its range suspect,
    so the row-by-row walk checks it (and reports whatever stops that walk too)."""
    try:
        return check()
    except Exception:  # noqa: BLE001 - the walk is the authority and raises on its own if the database is unusable
        return RangeCheck(int(job["start"]), int(job["stop"]), ok=False)


class _Progress:
    """Progress from this process and the workers' reader threads, reported under one lock."""

    def __init__(self, report: Callable[[int], None] | None):
        self.report = report
        self.lock = threading.Lock()

    def __call__(self, rows: int) -> None:
        if self.report:
            with self.lock:
                self.report(rows)


class _Worker:
    """A range check in a fresh interpreter: the job on its standard input, its progress read by a thread."""

    def __init__(self, job: dict[str, Any], progress: _Progress):
        root = str(Path(__file__).resolve().parent.parent)  # the same code as this process, wherever it runs from
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen([sys.executable, "-m", "infrastructure.verify_range"], env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(job).encode())
        self.process.stdin.close()
        self.errors: list[str] = []
        self.reader = threading.Thread(target=self._read, args=(self.process.stderr, progress), daemon=True)
        self.reader.start()

    def _read(self, stream: IO[bytes], progress: _Progress) -> None:
        for line in stream:
            text = line.decode(errors="replace").strip()
            if text.isdigit():
                progress(int(text))
            else:
                self.errors.append(text)

    def result(self) -> RangeCheck:
        """The worker's verdict (raises when it failed)."""
        assert self.process.stdout is not None
        out = self.process.stdout.read()
        self.process.wait()
        self.reader.join()
        if self.process.returncode != 0:
            raise RuntimeError("verify worker failed: " + "\n".join(self.errors)[-2000:])
        return RangeCheck.from_json(out.decode())

    def stop(self) -> None:
        """Kill the worker if it still runs (this process failed first)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


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
        # the last verification: processes used, the database server's CPU seconds (PostgreSQL on this host) and
        # where the row-by-row walk started (None: every range was proven intact by the fast check)
        self.last_run: dict[str, Any] = {}

    def verify(self, trusted: Ed25519PublicKey | None = None, progress: Callable[[int], None] | None = None
               ) -> Verification:
        """Recompute every digest from the stored rows; report the first departure and each seal's verdict,
        against the given trusted key or the configured one (never a key stored in the database)."""
        trusted = trusted or self.trusted()
        result = Verification(trusted_key=public_hex(trusted) if trusted else None)
        all_seals = self._all_seals(result)
        wanted = sorted({s.position for s, _ in all_seals})
        head = self._head()
        recomputed: dict[int, bytes] = {}
        previous, resume = GENESIS, 1
        checks = self._fast_checks(head, wanted, progress)
        for check in checks:  # proven-intact ranges, in log order
            if not check.ok or check.first != previous:
                break
            result.events += check.events
            if check.events:
                previous, result.head_position = check.last, check.last_position
            recomputed.update(check.sealed)
            resume = check.stop + 1
        self.last_run["walked_from"] = resume if resume <= head else None
        if resume <= head:  # a suspect range (or no fast path): the row-by-row walk from there names the departure
            previous = self._walk(result, previous, resume - 1, head, set(wanted), recomputed,
                                  None if checks else progress)
        if result.events:
            result.head_digest = previous.hex()
        self._check_seals(result, all_seals, recomputed, trusted)
        for check_read_models in self.checks:
            result.problems.extend(check_read_models())
        return result

    def _head(self) -> int:
        """The last position of the log or its chain as verification starts (rows stored later are not checked)."""
        table, position = events_source(self.recorder)
        with self.engine.connect() as conn:
            events = conn.execute(text(f"SELECT max({position}) FROM {table}")).scalar()
            chain = conn.execute(text("SELECT max(position) FROM ledger_chain")).scalar()
        return max(int(events or 0), int(chain or 0))

    def _fast_checks(self, head: int, wanted: list[int], progress: Callable[[int], None] | None) -> list[RangeCheck]:
        """The log cut into ranges, each checked by ``verify_range`` at once: the first in this process, the others
        in worker processes (fresh interpreters, ``python -m infrastructure.verify_range``: they inherit no
        connection or lock and never re-run the caller's main module). Empty when there is no fast path here."""
        job = self._job()
        self.last_run = {"processes": 1, "server_cpu": 0.0}
        if job is None or head == 0:
            return []
        workers = max(1, min(self.workers, head // 2)) if head >= self.parallel_from else 1
        bounds = [round(head * i / workers) for i in range(workers + 1)]
        jobs = [{**job, "start": bounds[i] + 1, "stop": bounds[i + 1],
                 "wanted": [p for p in wanted if bounds[i] < p <= bounds[i + 1]]} for i in range(workers)]
        report = _Progress(progress)
        children = [_Worker(j, report) for j in jobs[1:]]
        try:
            checks = [_suspect_on_error(jobs[0], lambda: run_job(jobs[0], report))]
            checks.extend(_suspect_on_error(j, child.result) for j, child in zip(jobs[1:], children, strict=True))
        finally:
            for child in children:
                child.stop()
        self.last_run = {"processes": workers, "server_cpu": sum(c.server_cpu or 0.0 for c in checks)}
        return checks

    def _job(self) -> dict[str, Any] | None:
        """Where a range check reads the log (None for an in-memory SQLite ledger: walked row by row)."""
        recorder, table = self.recorder, events_source(self.recorder)[0]
        if isinstance(recorder, SQLiteApplicationRecorder):
            if recorder.datastore.pool.is_sqlite_memory_mode:
                return None
            return {"kind": "sqlite", "path": recorder.datastore.pool.db_name, "table": table}
        url = self.engine.url
        schema = getattr(getattr(recorder, "datastore", None), "schema", None) or "public"
        connect = {"host": url.host or "127.0.0.1", "port": url.port or 5432, "dbname": url.database,
                   "user": url.username, "password": url.password or None,
                   "options": f"-c search_path={schema}"}
        return {"kind": "postgres", "connect": connect, "table": table}

    def _walk(self, result: Verification, previous: bytes, after: int, stop: int, wanted: set[int],
              recomputed: dict[int, bytes], progress: Callable[[int], None] | None = None) -> bytes:
        """Walk the log and the chain side by side after position ``after`` up to ``stop``, row by row, recording
        the first departure; returns the recomputed digest at the end."""
        events, chain = _digests(self.engine, self.recorder, after, stop), _chain(self.engine, after, stop)
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
            result.head_position = position
            if progress and result.events % 1000 == 0:
                progress(1000)
            event, link = next(events, None), next(chain, None)
        if progress:
            progress(result.events % 1000)
        return previous

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

"""The projection worker: a long-running process that keeps the read models caught up with the log.

On PostgreSQL it is woken by the recorder's NOTIFY (issued in the transaction that stores the events) and polls
as well, so a lost notification only delays a read model, never stalls it. Several workers may run: each
projection is owned by one at a time through a session-level advisory lock, held on the worker's own connection,
so a worker that dies (even by SIGKILL) loses its locks with its connection and another claims them at its next
claim round. On SQLite (one machine) a worker polls, and owns projections through file locks beside the database.

The runner's joint catch-up does the work, over the projections this worker owns: rows and tracking positions in
one transaction, positions moved by compare-and-set, so even two owners could not apply an event twice.

While a release is rolled out, workers of two releases may run side by side. A worker leaves alone a read model a newer
release has rebuilt (``Standing.SUPERSEDED``): it does not claim it, and a check in each of its catch-up transactions
(``Fingerprints.guard``) stops it the moment the read model is rebuilt under it, before it writes a row the newer
definition would not (a kept count it does not know of). It takes such a read model back if it is rebuilt to its own
definition again (a rollback).
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from sqlalchemy import Engine, text

from infrastructure.blue_green import Fingerprints, Standing, Superseded
from infrastructure.config import Database
from infrastructure.projection import ProjectionRunner

log = logging.getLogger("jejak.worker")


def lock_key(schema: str, name: str) -> str:
    """The text whose hash is the advisory lock of one projection in one schema."""
    return f"jejak-projection:{schema or 'public'}:{name}"


def application_name(pid: int | None = None) -> str:
    """How a worker's connection names itself in pg_stat_activity (the ownership metric reads it)."""
    return f"jejak-worker-{os.getpid() if pid is None else pid}"


class Claims(Protocol):
    """Exclusive ownership of projections among the workers of one database."""

    def claim(self, names: Sequence[str]) -> list[str]:
        """Try to take each named projection; return those taken now (never blocks)."""

    def release_all(self) -> None:
        """Give up every projection held."""

    def wait(self, seconds: float) -> bool:
        """Sleep until new events are announced or ``seconds`` pass; True when woken by an announcement."""

    def close(self) -> None:
        """Release everything and close the connection (if any)."""


class PostgresClaims:
    """Advisory locks and LISTEN on one dedicated connection (autocommit, so the locks are session-level)."""

    def __init__(self, db: Database, channel: str, connect: Callable[[], Any] | None = None):
        self.db = db
        self.channel = channel
        self._connect = connect or self._open
        self.conn: Any = None
        self.held: set[str] = set()

    def _open(self) -> Any:
        import psycopg

        return psycopg.connect(host=self.db.host, port=self.db.port, dbname=self.db.name, user=self.db.user,
                               password=self.db.password or None, autocommit=True,
                               application_name=application_name())

    def _connection(self) -> Any:
        if self.conn is None or self.conn.closed:
            self.held.clear()  # a lost connection took its locks with it
            self.conn = self._connect()
            self.conn.execute(f'LISTEN "{self.channel}"')
        return self.conn

    def claim(self, names: Sequence[str]) -> list[str]:
        """Try each projection's advisory lock; the ones won are held until this connection ends."""
        conn = self._connection()
        taken = []
        for name in names:
            if name in self.held:
                continue
            won = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (lock_key(self.db.schema, name),))
            if won.fetchone()[0]:
                self.held.add(name)
                taken.append(name)
        return taken

    def release_all(self) -> None:
        """Unlock every projection held (a closed connection has released them already)."""
        if self.conn is not None and not self.conn.closed:
            self.conn.execute("SELECT pg_advisory_unlock_all()")
        self.held.clear()

    def wait(self, seconds: float) -> bool:
        """Wait for a NOTIFY on the events channel; notifications that came meanwhile wake at once (psycopg keeps
        those received outside this call), and every pending one is drained so one wake serves them all."""
        conn = self._connection()
        woken = False
        for _ in conn.notifies(timeout=seconds, stop_after=1):
            woken = True
        if woken:
            for _ in conn.notifies(timeout=0.001):
                pass
        return woken

    def close(self) -> None:
        """Release the locks and close the connection."""
        try:
            self.release_all()
        finally:
            if self.conn is not None:
                self.conn.close()
            self.conn = None


class FileClaims:
    """Ownership on one machine (SQLite): an exclusive flock per projection in a directory beside the database;
    the kernel drops the locks of a process that dies. There is no push, so ``wait`` only sleeps."""

    def __init__(self, directory: Path, stop: threading.Event | None = None):
        self.directory = directory
        self.stop = stop or threading.Event()
        self.files: dict[str, IO[bytes]] = {}

    def claim(self, names: Sequence[str]) -> list[str]:
        """Try each projection's lock file without blocking."""
        self.directory.mkdir(parents=True, exist_ok=True)
        taken = []
        for name in names:
            if name in self.files:
                continue
            handle = open(self.directory / f"{name}.lock", "ab")  # noqa: SIM115 - held open while owned
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            self.files[name] = handle
            taken.append(name)
        return taken

    def release_all(self) -> None:
        """Unlock and close every lock file held."""
        for handle in self.files.values():
            handle.close()  # closing the descriptor drops its flock
        self.files.clear()

    @property
    def held(self) -> set[str]:
        """The projections owned."""
        return set(self.files)

    def wait(self, seconds: float) -> bool:
        """Sleep (interrupted by a stop); SQLite has no notifications."""
        self.stop.wait(seconds)
        return False

    def close(self) -> None:
        """Release everything."""
        self.release_all()


@dataclass
class WorkerReport:
    """What one round of the worker did."""

    claimed: list[str]
    owned: list[str]
    events: int


class ProjectionWorker:
    """Claims what projections it can, catches up the ones it owns, and waits for the next write or poll."""

    def __init__(self, runner: ProjectionRunner, claims: Claims, names: Sequence[str] | None = None,
                 poll_seconds: float = 5.0, claim_seconds: float = 1.0, fingerprints: Fingerprints | None = None):
        self.runner = runner
        self.claims = claims
        self.names = list(names or runner.projections)
        self.fingerprints = fingerprints  # None: no release check (the read models' definitions are not compared)
        self.left: list[str] = []  # read models a newer release rebuilt: not claimed until rebuilt to ours again
        self.poll_seconds = poll_seconds  # the fallback when a notification is lost (or on SQLite, the only wake)
        self.claim_seconds = claim_seconds  # how often a worker missing some projections tries to take them over
        self.owned: list[str] = []
        self._part: ProjectionRunner | None = None
        self.on_start: list[Callable[[list[str]], object]] = []  # told the projections just claimed, before catch-up

    def step(self) -> WorkerReport:
        """One round: claim, then catch the owned projections up together."""
        self._take_back()
        wanted = [n for n in self.names if n not in self.owned]
        claimed = self.claims.claim(self._not_superseded(wanted) if wanted else [])
        if claimed:
            self.owned = [n for n in self.names if n in set(self.owned) | set(claimed)]
            mine = [self.runner.projections[n] for n in self.owned]
            self._part = ProjectionRunner(self.runner.engine, self.runner.ledger, mine,
                                          batch_size=self.runner.batch_size)
            if self.fingerprints is not None:
                self._part.guard = self.fingerprints.guard(mine)
            log.info("claimed projections %s; owning %s", ", ".join(claimed), ", ".join(self.owned),
                     extra={"claimed": claimed, "owned": self.owned})
            for listener in self.on_start:
                listener(claimed)
        events = 0
        if self._part is not None:
            began = time.perf_counter()
            try:
                events = self._part.catch_up()
            except Superseded as e:  # rebuilt by another release meanwhile; its batch was rolled back
                log.warning("read models %s were rebuilt by another release while this worker owned them; releasing "
                            "them", ", ".join(e.names), extra={"projections": e.names})
                self._not_superseded(e.names)  # a newer release's are left; the others are rebuilt when reclaimed
                self._lose_all()
                return WorkerReport(claimed, [], 0)
            if events:
                log.info("caught up %d events", events, extra={"events": events, "owned": self.owned,
                                                              "seconds": round(time.perf_counter() - began, 3)})
        return WorkerReport(claimed, list(self.owned), events)

    def _not_superseded(self, names: Sequence[str]) -> list[str]:
        """Those of the names a newer release has not rebuilt; the others are left (and logged) until rebuilt to this
        release's definition again."""
        if self.fingerprints is None:
            return list(names)
        standings = self.fingerprints.standings([self.runner.projections[n] for n in names])
        superseded = [n for n in names if standings[n] is Standing.SUPERSEDED]
        if superseded:
            log.warning("read models %s were rebuilt by a newer release; this worker (an older release) leaves them "
                        "to that release's workers", ", ".join(superseded), extra={"projections": superseded})
            self.names = [n for n in self.names if n not in superseded]
            self.left += [n for n in superseded if n not in self.left]
        return [n for n in names if n not in superseded]

    def _take_back(self) -> None:
        """Claim again the read models left to a newer release that were rebuilt to this release's definition."""
        if not self.left or self.fingerprints is None:
            return
        standings = self.fingerprints.standings([self.runner.projections[n] for n in self.left])
        back = [n for n in self.left if standings[n] is not Standing.SUPERSEDED]
        if back:
            self.left = [n for n in self.left if n not in back]
            self.names = [n for n in self.runner.projections if n in set(self.names) | set(back)]

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set; a failed round (such as a database restart) is logged and retried."""
        log.info("projection worker started (poll every %.1f s)", self.poll_seconds)
        try:
            while not stop.is_set():
                try:
                    self.step()
                except Exception:  # noqa: BLE001 - the database may be restarting: give up ownership, try again
                    log.exception("projection worker round failed; releasing ownership and retrying")
                    self._lose_all()
                    stop.wait(self.claim_seconds)
                    continue
                # Sleep until a notification, the poll, or (while a projection is unowned) the next claim round.
                timeout = self.claim_seconds if len(self.owned) < len(self.names) else self.poll_seconds
                while timeout > 0 and not stop.is_set():  # short slices, so a stop is quick
                    if self.claims.wait(min(timeout, 0.5)):
                        break
                    timeout -= 0.5
        finally:
            self.claims.close()
            log.info("projection worker stopped")

    def _lose_all(self) -> None:
        try:
            self.claims.close()
        except Exception:  # noqa: BLE001 - the connection is likely gone already, and its locks with it
            log.debug("closing the claims connection failed", exc_info=True)
        self.owned = []
        self._part = None


def claims_for(db: Database, runner: ProjectionRunner, var_dir: Path, stop: threading.Event) -> Claims:
    """Advisory locks and NOTIFY on PostgreSQL; lock files under var/ on SQLite."""
    if db.kind == "postgres":
        return PostgresClaims(db, str(getattr(runner.ledger.recorder, "channel_name")))  # noqa: B009
    return FileClaims(var_dir / "worker-locks", stop)


def owners(engine: Engine, schema: str, names: Sequence[str]) -> dict[str, str]:
    """Which worker (its connection's application name) owns each projection, on PostgreSQL; empty on SQLite,
    whose lock files only their holder can see."""
    if engine.dialect.name != "postgresql":
        return {}
    keys = {lock_key(schema, name): name for name in names}
    query = text("SELECT k.key, a.application_name FROM unnest(CAST(:keys AS text[])) AS k(key) "
                 "JOIN pg_locks l ON l.locktype = 'advisory' AND l.granted AND l.objid::int = hashtext(k.key) "
                 "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                 "JOIN pg_stat_activity a ON a.pid = l.pid")
    with engine.connect() as conn:
        return {keys[key]: str(app) for key, app in conn.execute(query, {"keys": list(keys)})}

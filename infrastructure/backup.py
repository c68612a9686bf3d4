"""Backups that restore: a consistent copy of the ledger with a manifest, and a restore that checks it.

A backup is a gzip'd tar holding ``manifest.json`` and one dump:

- SQLite: ``ledger.sqlite``, a copy of the whole file made through SQLite's online backup API in one step, so it
  is one consistent snapshot even while the app writes; the manifest is read from the copy itself.
- PostgreSQL: ``ledger.sql``, ``pg_dump --data-only`` of the tables that cannot be rebuilt from the log (the
  events, the hash chain, the seals and the mail outbox), taken in a snapshot exported by a repeatable-read transaction that also
  reads the manifest, so the dump and its manifest describe the same moment.

The manifest names the ledger head (position and chain digest), the last seal, a fingerprint of the payload
cipher key (never the key) and the dump's SHA-256. A restore goes into an empty ledger only, checks the dump's
digest, loads it, checks the head against the manifest, verifies the whole chain and rebuilds every projection.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from infrastructure.config import Database, Settings
from infrastructure.container import Jejak
from infrastructure.database import writer

FORMAT = "jejak-backup/1"
MANIFEST = "manifest.json"
SQLITE_DUMP = "ledger.sqlite"
POSTGRES_DUMP = "ledger.sql"
CHAIN_TABLE = "ledger_chain"
SEALS_TABLE = "ledger_seals"
OUTBOX_TABLE = "mail_outbox"  # written with the events; its delivery state cannot be rebuilt from the log

# A progress hook: told a stage's name and size, it returns the function to call as work is done.
Stages = Callable[[str, int], Callable[[int], None]]


class BackupError(RuntimeError):
    """A backup cannot be made or a restore cannot go ahead; the message says why."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, read at the moment of its snapshot."""

    database: str
    created_at: str
    head_position: int
    head_digest: str | None
    events: int
    last_seal: dict[str, Any] | None
    cipher_key: str | None
    dump: str
    dump_sha256: str
    dump_bytes: int
    tool: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The manifest as stored in the archive."""
        return {"format": FORMAT, **self.__dict__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        """Read a stored manifest, refusing another format."""
        if data.get("format") != FORMAT:
            raise BackupError(f"not a Jejak backup (format {data.get('format')!r}, expected {FORMAT})")
        fields = {k: v for k, v in data.items() if k != "format"}
        return cls(**fields)


@dataclass(frozen=True)
class Restored:
    """The outcome of a restore."""

    manifest: Manifest
    status: str  # the restored ledger's verification: intact, or unverified when no trusted seal key is configured
    projections: dict[str, int]


def events_table(jejak: Jejak) -> str:
    """The name of the ledger's events table (both of the library's recorders have one)."""
    return str(getattr(jejak.ledger.recorder, "events_table_name"))  # noqa: B009 - not on the base class's type


def cipher_fingerprint(key: str | None) -> str | None:
    """A short fingerprint of the payload cipher key, so a restore can tell the wrong key from the right one."""
    if not key:
        return None
    return hashlib.sha256(b"jejak-cipher-key\x00" + key.encode()).hexdigest()[:16]


def default_backup_path(settings: Settings) -> Path:
    """var/backups/jejak-<UTC timestamp>.tar.gz."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return settings.var_dir / "backups" / f"jejak-{stamp}.tar.gz"


# --- create -----------------------------------------------------------------------------------------------------


def create_backup(jejak: Jejak, out: Path) -> Manifest:
    """Write a consistent backup of the running system's ledger to ``out`` and return its manifest."""
    db = jejak.settings.database()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jejak-backup-", dir=out.parent) as work:
        if db.kind == "sqlite":
            dump = Path(work) / SQLITE_DUMP
            facts, tool = _sqlite_snapshot(db, events_table(jejak), dump), None
        else:
            dump = Path(work) / POSTGRES_DUMP
            facts, tool = _postgres_snapshot(jejak, db, dump)
        manifest = Manifest(database=db.kind, created_at=datetime.now(UTC).isoformat(), **facts,
                            cipher_key=cipher_fingerprint(jejak.settings.cipher_key), dump=dump.name,
                            dump_sha256=_sha256(dump), dump_bytes=dump.stat().st_size, tool=tool)
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            body = json.dumps(manifest.as_dict(), indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(body))
            tar.add(dump, arcname=dump.name)
        os.chmod(partial, 0o600)  # the ledger holds personal data (encrypted or not)
        partial.replace(out)  # a reader of ``out`` never sees half an archive
    return manifest


def _sqlite_snapshot(db: Database, events_table: str, dump: Path) -> dict[str, Any]:
    """Copy the database in one step of the online backup API (one read transaction: a consistent snapshot while
    writers go on in WAL mode), then read the manifest's facts from the copy."""
    source = sqlite3.connect(db.path, timeout=30)
    target = sqlite3.connect(dump)
    try:
        source.backup(target)  # pages=-1: everything in one step, never restarted by a concurrent write
    finally:
        source.close()
    try:
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        return _facts(lambda sql: target.execute(sql).fetchall(), events_table)
    finally:
        target.close()


def _facts(query: Callable[[str], list[Any]], events_table: str) -> dict[str, Any]:
    """Head position and digest, event count and the last seal, through any connection's query function."""
    head = query(f"SELECT position, digest FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1")
    count = query(f"SELECT count(*) FROM {events_table}")[0][0]
    seal = query(f"SELECT id, position, digest, sealed_at, public_key FROM {SEALS_TABLE} ORDER BY id DESC LIMIT 1")
    return {
        "head_position": int(head[0][0]) if head else 0,
        "head_digest": bytes(head[0][1]).hex() if head else None,
        "events": int(count),
        "last_seal": {"id": int(seal[0][0]), "position": int(seal[0][1]), "digest": bytes(seal[0][2]).hex(),
                      "sealed_at": str(seal[0][3]), "public_key": seal[0][4]} if seal else None,
    }


def pg_dump_version() -> tuple[str, int]:
    """``pg_dump --version`` and its major version."""
    binary = shutil.which("pg_dump")
    if binary is None:
        raise BackupError("pg_dump is not installed (apt-get install postgresql-client)")
    line = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    found = re.search(r"(\d+)(?:\.\d+)?", line)
    if not found:
        raise BackupError(f"cannot read pg_dump's version from {line!r}")
    return line, int(found.group(1))


def check_pg_dump(server_version_num: int) -> str:
    """Refuse a pg_dump older than the server (it cannot dump a newer server); return its version line."""
    line, major = pg_dump_version()
    server_major = server_version_num // 10000
    if major < server_major:
        raise BackupError(f"{line} is older than the PostgreSQL {server_major} server; install a pg_dump of "
                          f"version {server_major} or later")
    return line


def _postgres_snapshot(jejak: Jejak, db: Database, dump: Path) -> tuple[dict[str, Any], str]:
    """Export a repeatable-read snapshot, read the manifest's facts in it and pg_dump the ledger tables from it."""
    table = events_table(jejak)
    with jejak.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            tool = check_pg_dump(int(conn.execute(text("SHOW server_version_num")).scalar_one()))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            facts = _facts(lambda sql: list(conn.execute(text(sql)).all()), table)
            # the snapshot lives as long as this transaction: pg_dump runs inside it
            tables = [f'"{schema}"."{name}"' for name in (table, CHAIN_TABLE, SEALS_TABLE, OUTBOX_TABLE)]
            command = ["pg_dump", "--data-only", "--format=plain", "--no-owner", "--no-privileges",
                       f"--snapshot={snapshot}", "--host", db.host, "--port", str(db.port), "--username", db.user,
                       "--dbname", db.name, "--file", str(dump)]
            for table in tables:
                command += ["--table", table]
            done = subprocess.run(command, capture_output=True, text=True,
                                  env={**os.environ, "PGPASSWORD": db.password})
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return facts, tool


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- restore ----------------------------------------------------------------------------------------------------


def read_manifest(archive: Path) -> Manifest:
    """The manifest of a backup archive."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise BackupError(f"{archive} holds no {MANIFEST}")
            return Manifest.from_dict(json.loads(member.read()))
    except (tarfile.TarError, KeyError, json.JSONDecodeError, OSError) as e:
        raise BackupError(f"{archive} is not a readable Jejak backup: {e}") from None


def restore_backup(settings: Settings, archive: Path, stages: Stages | None = None,
                   trusted_key: Any = None) -> Restored:
    """Restore a backup into the (empty) database of ``settings``, verify the ledger and rebuild every projection;
    refuses a non-empty ledger, a backup of the other kind of database, a wrong cipher key or a damaged dump."""
    manifest = read_manifest(archive)
    db = settings.database()
    if manifest.database != db.kind:
        raise BackupError(f"the backup is of a {manifest.database} database; JEJAK_DATABASE_URL names {db.kind}")
    if manifest.cipher_key != cipher_fingerprint(settings.cipher_key):
        raise BackupError("the payload cipher key differs from the one the backup was made with (fingerprint "
                          f"{manifest.cipher_key}, configured {cipher_fingerprint(settings.cipher_key)}): set "
                          "JEJAK_CIPHER_KEY or JEJAK_CIPHER_KEY_FILE to the key of the backed-up installation")
    stage = stages or (lambda _name, _total: lambda _n: None)
    with tempfile.TemporaryDirectory(prefix="jejak-restore-") as work, _opened(settings) as jejak:
        _refuse_non_empty(jejak)
        dump = _extract(archive, manifest, Path(work))
        if db.kind == "sqlite":
            jejak.close()
            _load_sqlite(dump, db, stage)
        else:
            _load_postgres(jejak, dump, stage)
    with _opened(settings) as jejak:  # opened afresh: migrations run on the restored tables
        head = jejak.seals.head()
        position, digest = (head[0], head[1].hex()) if head else (0, None)
        if (position, digest) != (manifest.head_position, manifest.head_digest):
            raise BackupError(f"the restored head (position {position}, digest {digest}) is not the manifest's "
                              f"(position {manifest.head_position}, digest {manifest.head_digest})")
        result = jejak.verifier.verify(trusted_key, progress=stage("verify ledger", position))
        if result.broken:  # "unverified" (no trusted key configured) is reported, not refused
            raise BackupError(f"the restored ledger does not verify: {json.dumps(result.as_dict(), default=str)}")
        rebuilt = {}
        for name in jejak.projections.projections:
            rebuilt[name] = jejak.projections.rebuild(name, progress=stage(f"rebuild {name}", position))
    return Restored(manifest, result.status, rebuilt)


@contextmanager
def _opened(settings: Settings) -> Iterator[Jejak]:
    jejak = Jejak(settings)
    try:
        yield jejak
    finally:
        jejak.close()


def _refuse_non_empty(jejak: Jejak) -> None:
    """Refuse to restore over a ledger that holds anything (events, chain rows or seals)."""
    with jejak.engine.connect() as conn:
        chain = conn.execute(text(f"SELECT count(*) FROM {CHAIN_TABLE}")).scalar_one()
        seals = conn.execute(text(f"SELECT count(*) FROM {SEALS_TABLE}")).scalar_one()
    if jejak.projections.head() or chain or seals:
        raise BackupError(f"the target ledger is not empty (head position {jejak.projections.head()}, {seals} "
                          "seals); restore only into an empty database")


def _extract(archive: Path, manifest: Manifest, work: Path) -> Path:
    """Unpack the dump the manifest names and check its digest."""
    if manifest.dump not in (SQLITE_DUMP, POSTGRES_DUMP):
        raise BackupError(f"unexpected dump {manifest.dump!r} in the manifest")
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile(manifest.dump)
        if member is None:
            raise BackupError(f"{archive} holds no {manifest.dump}")
        dump = work / manifest.dump
        with dump.open("wb") as out:
            shutil.copyfileobj(member, out, 1 << 20)
    if _sha256(dump) != manifest.dump_sha256:
        raise BackupError(f"{manifest.dump} does not match the manifest's SHA-256: the backup is damaged")
    return dump


def _load_sqlite(dump: Path, db: Database, stage: Stages) -> None:
    """Copy the backed-up file over the (empty) target through the backup API, page by page."""
    source = sqlite3.connect(dump)
    target = sqlite3.connect(db.path, timeout=30)
    try:
        pages = int(source.execute("PRAGMA page_count").fetchone()[0])
        advance = stage("restore database", pages)
        done = [0]

        def copied(_status: int, remaining: int, total: int) -> None:
            advance(total - remaining - done[0])
            done[0] = total - remaining

        source.backup(target, pages=max(pages // 100, 1), progress=copied)
    finally:
        source.close()
        target.close()


COPY = re.compile(r'^COPY ((?:"[^"]+"|[\w$]+)\.)?("[^"]+"|[\w$]+) \(([^)]*)\) FROM stdin;$')
SETVAL = re.compile(r"^SELECT pg_catalog\.setval\('(?:(?:\"[^\"]+\"|[\w$]+)\.)?(\"[^\"]+\"|[\w$]+)', (\d+), (true|false)\);$")


def _load_postgres(jejak: Jejak, dump: Path, stage: Stages) -> None:
    """Replay the dump's COPY blocks and sequence positions into this schema's tables, in one transaction.

    pg_dump qualifies every name with the schema it came from; the rows are loaded into the tables of the target's
    own schema instead (a restore may go into another schema or database), and only into the ledger's tables."""
    allowed = {events_table(jejak), CHAIN_TABLE, SEALS_TABLE, OUTBOX_TABLE}
    advance = stage("restore database", dump.stat().st_size)
    with writer(jejak.engine).begin() as conn:
        raw: Any = conn.connection.driver_connection
        conn.execute(text(f"LOCK TABLE {events_table(jejak)} IN EXCLUSIVE MODE"))
        _refuse_non_empty(jejak)
        with raw.cursor() as cursor, dump.open("r", encoding="utf-8") as lines:
            for line in lines:
                advance(len(line.encode()))
                copy, setval = COPY.match(line.rstrip("\n")), SETVAL.match(line.rstrip("\n"))
                if copy:
                    table = copy.group(2).strip('"')
                    if table not in allowed:
                        raise BackupError(f"the dump holds rows for {table!r}, which is not a ledger table")
                    with cursor.copy(f'COPY "{table}" ({copy.group(3)}) FROM STDIN') as rows:
                        for row in lines:
                            advance(len(row.encode()))
                            if row == "\\.\n":
                                break
                            rows.write(row)
                elif setval:
                    sequence = setval.group(1).strip('"')
                    cursor.execute("SELECT setval(%s::regclass, %s, %s)",
                                   (f'"{sequence}"', int(setval.group(2)), setval.group(3) == "true"))
        for table in sorted(allowed):  # the planner's statistics of the tables just filled (see projection.analyze)
            conn.execute(text(f'ANALYZE "{table}"'))

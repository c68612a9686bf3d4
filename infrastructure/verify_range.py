"""The fast check of one range of the log against its hash chain, in this process or in a worker process.

A range is intact when every stored row in it has a chain entry (and no entry lacks its row), every row's content
digest equals the recorded one and every recorded link digest follows from the recorded digest before it. Then the
recomputed chain equals the stored one throughout the range, so ranges are checked independently (on several
cores) and joined by comparing each range's first link with its neighbour's last digest. The check proves an intact
range only: anything else (a malformed row, a gap, a mismatch, an error while reading) marks the range suspect and
the verifier walks it again row by row (``infrastructure.verify``), which names the first departure exactly.

Rows are read with the database driver in large batches and hashed in C-level pipelines (``map`` over hashlib and
struct, no Python statement per row). This module imports only the standard library (psycopg on PostgreSQL), so a
worker process starts in milliseconds: ``python -m infrastructure.verify_range`` reads its job as JSON on standard
input, writes its progress (rows done, one number a line) to standard error and its result as JSON to standard output.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import struct
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

GENESIS = b"\x00" * 32  # infrastructure.chain.GENESIS (not imported: the worker stays free of the library)
CHUNK = 1_000  # rows a fetch: larger lists of rows fall out of the CPU cache and cost more
MMAP_BYTES = 1 << 40
_ID_FIELD = struct.pack(">I", 32)  # every accepted id is 32 hex characters (checked per chunk below)
_HEX = b"0123456789abcdef"  # an id's only characters: lower-case hex, as content_digest writes them
# content_digest's input, built by PostgreSQL (sha256() is built in, so the server hashes each row's content and only
# the digests cross the wire): the id as 32 hex digits, the version, the topic in UTF-8 and the state, each length-
# prefixed as infrastructure.chain writes them
_PG_CONTENT = ("'\\x00000020'::bytea || convert_to(replace(e.originator_id::text, '-', ''), 'UTF8') "
               "|| int8send(e.originator_version::bigint) || int4send(octet_length(convert_to(e.topic, 'UTF8'))) "
               "|| convert_to(e.topic, 'UTF8') || int4send(octet_length(e.state)) || e.state")
PG_CHUNK = 5_000
_Q = struct.Struct(">Q").pack
_I = struct.Struct(">I").pack

Progress = Callable[[int], None]


@dataclass
class RangeCheck:
    """The verdict on positions ``start``..``stop``: ``ok`` only when the range is proven intact; ``first`` is the
    recorded digest before the range, ``last`` the digest at its last row (``first`` when it holds none)."""

    start: int
    stop: int
    ok: bool = True
    events: int = 0
    first: bytes = GENESIS
    last: bytes = GENESIS
    last_position: int = 0
    sealed: dict[int, bytes] = field(default_factory=dict)  # the digest at each wanted position found in the range
    server_cpu: float | None = None  # CPU seconds of the database server's backend (PostgreSQL on this host)

    def to_json(self) -> str:
        """The verdict as one JSON document (digests in hex)."""
        data = asdict(self)
        data.update(first=self.first.hex(), last=self.last.hex(),
                    sealed={str(p): d.hex() for p, d in self.sealed.items()})
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> RangeCheck:
        """Read back ``to_json``."""
        data = json.loads(text)
        data.update(first=bytes.fromhex(data["first"]), last=bytes.fromhex(data["last"]),
                    sealed={int(p): bytes.fromhex(d) for p, d in data["sealed"].items()})
        return cls(**data)


class _TopicFields(dict[Any, bytes]):
    """A topic's length-prefixed bytes, made once per topic; a topic that is not text raises (the range is suspect)."""

    def __missing__(self, topic: Any) -> bytes:
        encoded = topic.encode()  # AttributeError unless str
        value = self[topic] = _I(len(encoded)) + encoded
        return value


def check_chunks(check: RangeCheck, chunks: Iterable[Sequence[tuple[Any, ...]]], chain_rows: int,
                 progress: Progress | None = None, hashed_by_server: bool = False) -> RangeCheck:
    """Check the rows of a range, read in chunks of (position, id bytes, version, topic, state, recorded digest,
    recorded content) in position order (the digest and content None for a row without a chain entry), or with
    ``hashed_by_server`` of (position, whether the server found the content digest equal to the recorded one,
    recorded digest, recorded content), against ``chain_rows`` chain entries recorded in the range; fills in
    ``check`` except ``sealed``."""
    previous, fields = check.first, _TopicFields()
    try:
        for rows in chunks:
            previous = _check_links(check, rows, previous) if hashed_by_server else \
                _check_chunk(check, rows, previous, fields)
            if not check.ok:
                return check
            if progress:
                progress(len(rows))
    except Exception:  # noqa: BLE001 - anything unexpected (a text column, a decode error): walk the range row by row
        check.ok = False
        return check
    check.ok = check.events == chain_rows
    check.last = previous
    return check


def _check_chunk(check: RangeCheck, rows: Sequence[tuple[Any, ...]], previous: bytes, fields: _TopicFields) -> bytes:
    """One chunk: the content digest and the link of every row equal the recorded ones (a bare loop: on these row
    sizes it costs less than map pipelines over columns, whose lists fall out of the CPU cache)."""
    sha, q, i, id_field = hashlib.sha256, _Q, _I, _ID_FIELD
    ids: list[bytes] = []
    add = ids.append
    for position, oid, version, topic, state, digest, content in rows:
        add(oid)
        computed = sha(b"".join((id_field, oid, q(version), fields[topic], i(len(state)), state))).digest()
        previous = sha(previous + q(position) + computed).digest()
        if computed != content or previous != digest:
            check.ok = False
            return previous
    # each id exactly 32 lower-case hex characters, as content_digest writes them: all 32 long (the shortest is and
    # together they are 32 each), nothing left once the hex digits are deleted (a tenth of a regular expression's cost)
    joined = b"".join(ids)
    if len(joined) != 32 * len(ids) or min(map(len, ids)) != 32 or joined.translate(None, _HEX):
        check.ok = False
        return previous
    check.events += len(rows)
    check.last_position = rows[-1][0]
    return previous


def _check_links(check: RangeCheck, rows: Sequence[tuple[Any, ...]], previous: bytes) -> bytes:
    """One chunk whose content digests the server compared: every link equals the recorded one."""
    sha, q = hashlib.sha256, _Q
    for position, same_content, digest, content in rows:
        previous = sha(previous + q(position) + content).digest()
        if not same_content or previous != digest:
            check.ok = False
            return previous
    check.events += len(rows)
    check.last_position = rows[-1][0]
    return previous


def _chunks(cursor: Any, size: int = CHUNK) -> Iterator[list[tuple[Any, ...]]]:
    while rows := cursor.fetchmany(size):
        yield rows


def _in_range(wanted: Sequence[int], start: int, stop: int) -> list[int]:
    return [p for p in wanted if start <= p <= stop]


def check_sqlite(conn: sqlite3.Connection, table: str, start: int, stop: int, wanted: Sequence[int] = (),
                 progress: Progress | None = None) -> RangeCheck:
    """Check positions ``start``..``stop`` of an SQLite log on ``conn`` (in one read transaction)."""
    check = RangeCheck(start, stop)
    in_transaction = conn.in_transaction
    if not in_transaction:
        conn.execute("BEGIN")
    try:
        row = conn.execute("SELECT digest FROM ledger_chain WHERE position < ? ORDER BY position DESC LIMIT 1",
                           (start,)).fetchone()
        check.first = row[0] if row and isinstance(row[0], bytes) else GENESIS
        chain_rows = conn.execute("SELECT count(*) FROM ledger_chain WHERE position BETWEEN ? AND ?",
                                  (start, stop)).fetchone()[0]
        cursor = conn.execute(f"SELECT e.rowid, CAST(e.originator_id AS BLOB), e.originator_version, e.topic, "
                              f"e.state, c.digest, c.content FROM {table} e LEFT JOIN ledger_chain c "
                              "ON c.position = e.rowid WHERE e.rowid BETWEEN ? AND ? ORDER BY e.rowid", (start, stop))
        check_chunks(check, _chunks(cursor), chain_rows, progress)
        if check.ok:  # every link matched: the recorded digest at a sealed position is the recomputed one
            for position in _in_range(wanted, start, stop):
                row = conn.execute("SELECT digest FROM ledger_chain WHERE position = ?", (position,)).fetchone()
                if row:
                    check.sealed[position] = row[0]
        return check
    finally:
        if not in_transaction:
            conn.rollback()


def check_postgres(conn: Any, table: str, start: int, stop: int, wanted: Sequence[int] = (),
                   progress: Progress | None = None) -> RangeCheck:
    """Check positions ``start``..``stop`` of a PostgreSQL log on a psycopg connection whose search path holds the
    ledger's tables: the server compares each row's content digest with the recorded one (its own sha256()), this
    process computes the links from what a server-side cursor sends in binary (the recorded digests as bytes)."""
    check = RangeCheck(start, stop)
    backend = _backend_pid(conn)
    before = _process_cpu(backend)
    try:
        with conn.cursor(binary=True) as cur:
            cur.execute("SELECT digest FROM ledger_chain WHERE position < %s ORDER BY position DESC LIMIT 1",
                        (start,))
            row = cur.fetchone()
            check.first = bytes(row[0]) if row else GENESIS
            cur.execute("SELECT count(*) FROM ledger_chain WHERE position BETWEEN %s AND %s", (start, stop))
            chain_rows = cur.fetchone()[0]
            cur.execute("SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() "
                        "AND table_name = %s AND column_name = 'originator_id'", (table,))
            row = cur.fetchone()
        if not row or row[0] != "uuid":  # ids the server cannot hold in any other form: anything else, row by row
            check.ok = False
            return check
        with conn.cursor(name="jejak_verify_range", binary=True) as cur:
            cur.execute(f"SELECT e.notification_id, (e.originator_version >= 0 AND sha256({_PG_CONTENT}) = c.content), "
                        f"c.digest, c.content FROM {table} e LEFT JOIN ledger_chain c "
                        "ON c.position = e.notification_id AND c.position BETWEEN %s AND %s "
                        "WHERE e.notification_id BETWEEN %s AND %s ORDER BY e.notification_id",
                        (start, stop, start, stop))
            check_chunks(check, _chunks(cur, PG_CHUNK), chain_rows, progress, hashed_by_server=True)
        if check.ok:  # every link matched: the recorded digest at a sealed position is the recomputed one
            with conn.cursor(binary=True) as cur:
                for position in _in_range(wanted, start, stop):
                    cur.execute("SELECT digest FROM ledger_chain WHERE position = %s", (position,))
                    row = cur.fetchone()
                    if row:
                        check.sealed[position] = bytes(row[0])
        after = _process_cpu(backend)
        if before is not None and after is not None:
            check.server_cpu = after - before
        return check
    finally:
        conn.rollback()


def _backend_pid(conn: Any) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return int(cur.fetchone()[0])


def _process_cpu(pid: int) -> float | None:
    """CPU seconds a process on this host has used (None when it is not here, e.g. a remote database server)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def run_job(job: dict[str, Any], progress: Progress | None = None) -> RangeCheck:
    """Check the range a job names: {"kind": "sqlite", "path": ..., or "kind": "postgres", "connect": {...psycopg
    keyword arguments...}; "table", "start", "stop", "wanted"}."""
    args = (job["table"], int(job["start"]), int(job["stop"]), [int(p) for p in job.get("wanted", [])], progress)
    if job["kind"] == "sqlite":
        conn = sqlite3.connect(f"file:{job['path']}?mode=ro", uri=True, timeout=30, isolation_level=None)
        conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")  # pages read straight from the file cache, not copied in
        try:
            return check_sqlite(conn, *args)
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(**job["connect"]) as pg:
        return check_postgres(pg, *args)


def main() -> None:
    """Worker process: job on stdin, progress on stderr, verdict on stdout."""
    job = json.loads(sys.stdin.read())

    def report(rows: int) -> None:
        sys.stderr.write(f"{rows}\n")
        sys.stderr.flush()

    sys.stdout.write(run_job(job, report).to_json())


if __name__ == "__main__":
    main()

"""Benchmark: verify the hash chain and seals of a ledger of N events (default 1,000,000) against a plain hashlib loop.

    .venv/bin/python -m bench.verify_ledger --events 1000000 [--db PATH] [--reps 3] [--workers N]
        [--postgres [URL]]

The events are generated with the benchmark's event mix through the chained recorder, so the chain is written
exactly as in production; the run seals the head once. Each repetition then times, interleaved (the order
alternates), ``jejak.verifier.verify`` (what ``jejak ledger verify`` runs: the chain, the seals and the security read
models) and the baseline: a plain loop that reads the same rows of the same database with the driver (rowid or
notification id, id, version, topic, state; 10,000 rows a query) and computes what the chain hashes (each row's
content digest and its link digest), comparing and reporting nothing. CPU seconds count this process, its finished
children (the verify workers) and, on PostgreSQL, the server backends that served the reads (from /proc: the server
runs on this host). ``--postgres`` copies the SQLite ledger into its own schema (``bench_verify_<N>``, kept for the
next run) and measures there too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sqlite3
import statistics
import struct
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bench.rebuild_directory import generate, machine, settings_for, stored_count
from infrastructure.config import Settings
from infrastructure.container import Jejak
from infrastructure.seals import generate_key, load_key

OUT = Path(__file__).resolve().parent / "out"
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def main(argv: list[str] | None = None) -> int:
    """Generate (once), seal, time verify and the plain loop interleaved, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--employees", type=int, default=150_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="verify processes (default: the verifier's own)")
    parser.add_argument("--postgres", nargs="?", const=PG_URL, default=None, help=f"also on PostgreSQL ({PG_URL})")
    args = parser.parse_args(argv)
    db = args.db or OUT / f"ledger-{args.events}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    found = stored_count(db)
    if found != args.events:
        if args.db is not None and found:  # someone's ledger (a generated instansi, say): never add to it
            raise SystemExit(f"{db} holds {found:,} events, not {args.events:,}: pass --events {found}")
        generate(db, args.events, min(args.employees, args.events // 4), seed=2026)
    key_file = db.with_name(db.name + ".seal.key")
    if not key_file.exists():
        generate_key(key_file)
    key = load_key(key_file)
    # each ledger its own seal export (the var directory, bench/out, is shared by every benchmark database)
    export = db.with_name(db.name + ".seals.jsonl")
    systems = {"sqlite": Jejak(replace(settings_for(db), seal_export_file=export))}
    if args.postgres:
        systems["postgres"] = postgres_copy(db, args.postgres, f"bench_verify_{args.events}")
    figures: dict[str, Any] = {"benchmark": "ledger verify vs a plain hashlib loop", "events": args.events}
    ok = True
    for kind, jejak in systems.items():
        if not jejak.seals.all() or jejak.seals.all()[-1].position != jejak.projections.head():
            jejak.seals.seal(key)
        if args.workers:
            jejak.verifier.workers = args.workers
        runs = interleaved(kind, jejak, db, key.public_key(), args.reps)
        ok = ok and all(r["status"] == "intact" for r in runs["verify"])
        figures[f"{kind}_ledger"] = summary(runs)
        jejak.close()
    figures.update(peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                   date=time.strftime("%Y-%m-%d %H:%M"), **machine())
    print(json.dumps(figures, indent=2))
    return 0 if ok else 1


def interleaved(kind: str, jejak: Jejak, db: Path, trusted: Any, reps: int) -> dict[str, list[dict[str, Any]]]:
    """``reps`` runs of verify and of the plain loop, alternating which goes first."""
    runs: dict[str, list[dict[str, Any]]] = {"verify": [], "plain": []}
    plain = (lambda: plain_sqlite(db)) if kind == "sqlite" else (lambda: plain_postgres(jejak))
    for rep in range(reps):
        order = ["verify", "plain"] if rep % 2 == 0 else ["plain", "verify"]
        for name in order:
            if name == "verify":
                runs[name].append(timed(lambda: _verify(jejak, trusted), jejak))
            else:
                runs[name].append(timed(plain, None))
            print(f"{kind} rep {rep + 1} {name}: {json.dumps(runs[name][-1])}", flush=True)
    return runs


def _verify(jejak: Jejak, trusted: Any) -> tuple[int, str]:
    head = jejak.projections.head()
    with tqdm(total=head, unit="ev", desc="verify", smoothing=0.05, leave=False) as bar:
        result = jejak.verifier.verify(trusted, progress=bar.update)
    return result.events, result.status


def timed(run: Callable[[], tuple[int, Any]], jejak: Jejak | None) -> dict[str, Any]:
    """Wall and CPU seconds of one run (CPU: this process, its reaped children and the database backends)."""
    load = os.getloadavg()[0]
    started, cpu = time.perf_counter(), _cpu()
    events, extra = run()
    seconds, cpu_seconds = time.perf_counter() - started, _cpu() - cpu
    if jejak is not None:
        server = float(jejak.verifier.last_run.get("server_cpu") or 0.0)
        processes = jejak.verifier.last_run.get("processes", 1)
        status = extra
    else:
        server, processes, status = float(extra or 0.0), 1, "-"
    total = cpu_seconds + server
    return {"events": events, "status": status, "seconds": round(seconds, 2), "cpu_seconds": round(total, 2),
            "server_cpu_seconds": round(server, 2), "processes": processes,
            "events_per_cpu_s": round(events / total), "events_per_s": round(events / seconds),
            "load": [round(load, 2), round(os.getloadavg()[0], 2)]}


def summary(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Medians of each side and the ratios (verify / plain: above 1.0, verify is cheaper or faster)."""
    def median(name: str, key: str) -> float:
        return float(statistics.median(r[key] for r in runs[name]))

    ratios = [v["events_per_cpu_s"] / p["events_per_cpu_s"] for v, p in zip(runs["verify"], runs["plain"],
                                                                           strict=True)]
    return {
        "verify_events_per_cpu_s": round(median("verify", "events_per_cpu_s")),
        "plain_loop_events_per_cpu_s": round(median("plain", "events_per_cpu_s")),
        "ratio_per_cpu_s": round(statistics.median(ratios), 2),
        "ratio_per_cpu_s_each_rep": [round(r, 2) for r in ratios],
        "verify_seconds": median("verify", "seconds"),
        "plain_loop_seconds": median("plain", "seconds"),
        "ratio_wall": round(median("plain", "seconds") / median("verify", "seconds"), 2),
        "verify_processes": runs["verify"][0]["processes"],
        "load": [min(r["load"][0] for r in runs["verify"] + runs["plain"]),
                 max(r["load"][1] for r in runs["verify"] + runs["plain"])],
    }


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the verify workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _content(oid: bytes, version: int, topic: bytes, state: bytes) -> bytes:
    """What the chain hashes for a row (``infrastructure.chain.content_digest``), written out plainly."""
    return hashlib.sha256(struct.pack(">I", len(oid)) + oid + struct.pack(">Q", version)
                          + struct.pack(">I", len(topic)) + topic + struct.pack(">I", len(state)) + state).digest()


def plain_sqlite(db: Path) -> tuple[int, None]:
    """The baseline on SQLite: every row's content and link digest in a bare loop."""
    previous, count, after = b"\x00" * 32, 0, 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        while True:
            rows = conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                                "WHERE rowid > ? ORDER BY rowid LIMIT 10000", (after,)).fetchall()
            if not rows:
                return count, None
            for position, oid, version, topic, state in rows:
                content = _content(oid.replace("-", "").encode(), version, topic.encode(), state)
                previous = hashlib.sha256(previous + struct.pack(">Q", position) + content).digest()
                count += 1
            after = rows[-1][0]


def plain_postgres(jejak: Jejak) -> tuple[int, float]:
    """The baseline on PostgreSQL (binary results, so bytea arrives as bytes); also the backend's CPU seconds."""
    import psycopg

    from infrastructure.verify_range import _backend_pid, _process_cpu

    job = jejak.verifier._job()  # noqa: SLF001 - the same server, database, schema and table
    assert job is not None
    connect, table = job["connect"], job["table"]
    previous, count, after = b"\x00" * 32, 0, 0
    with psycopg.connect(**connect) as conn, conn.cursor(binary=True) as cur:
        backend = _backend_pid(conn)
        before = _process_cpu(backend) or 0.0
        while True:
            cur.execute(f"SELECT notification_id, originator_id, originator_version, topic, state FROM {table} "
                        "WHERE notification_id > %s ORDER BY notification_id LIMIT 10000", (after,))
            rows = cur.fetchall()
            if not rows:
                return count, (_process_cpu(backend) or 0.0) - before
            for position, oid, version, topic, state in rows:
                content = _content(oid.hex.encode(), version, topic.encode(), state)
                previous = hashlib.sha256(previous + struct.pack(">Q", position) + content).digest()
                count += 1
            after = rows[-1][0]


def postgres_copy(db: Path, url: str, schema: str) -> Jejak:
    """A Jejak on PostgreSQL whose log and chain are the SQLite ledger's rows (copied once into ``schema``)."""
    import psycopg

    env = {"JEJAK_VAR_DIR": str(OUT / schema), "JEJAK_DATABASE_URL": f"{url}?schema={schema}",
           "JEJAK_SECRET_KEY": "bench", "JEJAK_CATCH_UP_IN_REQUEST": "0"}
    jejak = Jejak(Settings.from_env(env))
    total = stored_count(db)
    if jejak.projections.head() == total:
        return jejak
    job = jejak.verifier._job()  # noqa: SLF001 - where verify reads
    assert job is not None
    connect, table = job["connect"], job["table"]
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as lite, psycopg.connect(**connect) as pg:
        pg.execute(f"TRUNCATE {table}, ledger_chain")
        with pg.cursor().copy(f"COPY {table} (notification_id, originator_id, originator_version, topic, state) "
                              "FROM STDIN") as copy:
            for row in tqdm(lite.execute("SELECT rowid, originator_id, originator_version, topic, state "
                                         "FROM stored_events ORDER BY rowid"), total=total, desc="copy events"):
                copy.write_row(row)
        with pg.cursor().copy("COPY ledger_chain (position, digest, content) FROM STDIN") as copy:
            for row in tqdm(lite.execute("SELECT position, digest, content FROM ledger_chain ORDER BY position"),
                            total=total, desc="copy chain"):
                copy.write_row(row)
        pg.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'notification_id'), %s)", (total,))
        pg.execute(f"ANALYZE {table}")
        pg.execute("ANALYZE ledger_chain")
    return jejak


if __name__ == "__main__":
    raise SystemExit(main())

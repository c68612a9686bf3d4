"""Benchmark: rebuild every projection from N stored events, one by one and all together, on SQLite or PostgreSQL.

    .venv/bin/python -m bench.rebuild_all --events 100000 [--db PATH] [--skip-single] [--only a,b]
    .venv/bin/python -m bench.rebuild_all --events 100000 --database-url postgresql://postgres@127.0.0.1:5432/test

The log is the one ``bench.rebuild_directory`` generates (units, employees with their NIP claims, career
changes), written once into ``bench/out/rebuild-all-<N>.db`` and reused; on PostgreSQL it is copied from that file
into the schema ``bench_rebuild_<N>`` (``--schema``) once. For every projection the run times
``ProjectionRunner.rebuild(name)`` and prints wall seconds, CPU seconds, events/s and events per CPU-second (events =
the whole log, which every projection reads, whether or not it handles a topic) and the load average; then it times
``BlueGreen.rebuild_all()``, what ``jejak projections rebuild`` runs (build beside the live tables in one read of the
log, swap), with the CPU seconds each projection took inside the shared pass (bulk projections fold on their own
first, so they are not in it) and, on SQLite, how long the write transactions of the staging and the swap held the
live file's lock (``BlueGreen.holds``). Afterwards every projection must be at the head with nothing parked (exit status 1 otherwise). Nothing
catches up by itself during the run. CPU seconds are this process's (and its children's: the bulk fold's workers).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from tqdm import tqdm

from bench.rebuild_directory import OUT_DIR, generate, machine, settings_for, stored_count
from infrastructure.config import Settings
from infrastructure.container import Jejak
from infrastructure.projection import ProjectionRunner

TARGET = 50_000  # events per second, per projection (issue 13)
COPY_CHUNK = 10_000


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def _line(name: str, events: int, wall: float, cpu: float, load: str, note: str = "") -> str:
    rate = events / max(cpu, 1e-9)
    return (f"{name:<20}{wall:9.2f}{cpu:9.2f}{events / wall:12,.0f}{rate:14,.0f}  {'met' if rate >= TARGET else 'NOT':<4}"
            f"{load}->{_load()}{note}")


def postgres_copy(db: Path, url: str, schema: str, events: int, var: str) -> Jejak:
    """A system on the PostgreSQL schema, holding the SQLite file's log (copied once: a schema with the same number
    of events is reused)."""
    settings = Settings.from_env({"JEJAK_VAR_DIR": var, "JEJAK_SECRET_KEY": "bench", "JEJAK_CATCH_UP_IN_REQUEST": "0",
                                  "JEJAK_DATABASE_URL": f"{url}?schema={schema}"})
    jejak = Jejak(settings)
    head = jejak.projections.head()
    if head == events:
        return jejak
    if head:
        raise SystemExit(f"schema {schema} holds {head:,} events, not {events:,}: drop it or pass another --schema")
    recorder = jejak.ledger.recorder
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as source, \
            tqdm(total=events, unit="ev", desc=f"copy to {schema}") as bar:
        rows = source.execute("SELECT originator_id, originator_version, topic, state FROM stored_events "
                              "ORDER BY rowid")
        while chunk := rows.fetchmany(COPY_CHUNK):
            recorder.insert_events([StoredEvent(originator_id=UUID(oid),
                                                originator_version=version, topic=topic, state=state)
                                    for oid, version, topic, state in chunk])
            bar.update(len(chunk))
    return jejak


def time_single(runner: ProjectionRunner, names: list[str], head: int) -> None:
    """Rebuild each projection alone and print its rates."""
    for name in names:
        load = _load()
        wall, cpu = time.perf_counter(), _cpu()
        runner.rebuild(name)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        print(_line(name, head, wall, cpu, load), flush=True)


def time_all(jejak: Jejak, head: int) -> None:
    """Rebuild all together, as `jejak projections rebuild` does (beside the live tables, one read of the log, then
    the swap), and print the total and each projection's CPU seconds inside the shared pass."""
    load = _load()
    wall, cpu = time.perf_counter(), _cpu()
    steps = jejak.blue_green.rebuild_all()
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    print(_line("ALL", head, wall, cpu, load, "   " + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items())))
    holds = jejak.blue_green.holds  # SQLite: the write transactions on the live file after the side build
    if holds:
        longest = max(holds, key=lambda h: h.seconds)
        swap = next(h.seconds for h in holds if h.step == "swap")
        print(f"  live write lock: {len(holds)} transactions, longest {longest.seconds:.3f} s ({longest.step}, "
              f"{longest.rows} rows), at most {max(h.rows for h in holds)} rows in one; the swap {swap:.3f} s")
        steps: dict[str, list[float]] = {}
        for hold in holds:
            steps.setdefault(hold.step, []).append(hold.seconds)
        print("  by step (transactions, seconds held in all, longest): " + ", ".join(
            f"{step} {len(held)}, {sum(held):.1f} s, {max(held):.2f} s" for step, held in steps.items()))
    for name, seconds in jejak.blue_green.pass_cpu.items():
        print(f"  in the pass: {name:<20}{seconds:7.2f} CPU s  {head / max(seconds, 1e-9):12,.0f} events/CPU-s")


def main(argv: list[str] | None = None) -> int:
    """Generate the log once, then time each projection's rebuild and the rebuild of all."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--db", type=Path, default=None, help="SQLite file (default bench/out/rebuild-all-<N>.db)")
    p.add_argument("--database-url", default=None,
                   help="PostgreSQL instead, e.g. postgresql://postgres@127.0.0.1:5432/test (the log is copied there)")
    p.add_argument("--schema", default=None, help="PostgreSQL schema (default bench_rebuild_<N>)")
    p.add_argument("--skip-single", action="store_true", help="time only the rebuild of all")
    p.add_argument("--skip-all", action="store_true", help="time only the projections one by one")
    p.add_argument("--only", default=None, help="comma-separated projections to time one by one")
    args = p.parse_args(argv)
    db = args.db or OUT_DIR / f"rebuild-all-{args.events}.db"
    if stored_count(db) != args.events:
        db.parent.mkdir(parents=True, exist_ok=True)
        generate(db, args.events, max(args.events // 8, 1), seed=13)
    with TemporaryDirectory() as var:
        if args.database_url:
            jejak = postgres_copy(db, args.database_url, args.schema or f"bench_rebuild_{args.events}", args.events,
                                  var)
            where = f"{args.database_url} schema {args.schema or f'bench_rebuild_{args.events}'}"
        else:
            jejak, where = Jejak(settings_for(db)), str(db)
        runner = jejak.projections
        runner.create_tables()
        head = runner.head()
        print(f"log: {head:,} events in {where}; load {_load()}")
        print(f"{'projection':<20}{'wall s':>9}{'CPU s':>9}{'events/s':>12}{'events/CPU-s':>14}  "
              f"≥{TARGET // 1000}k load")
        if not args.skip_single:
            time_single(runner, args.only.split(",") if args.only else list(runner.projections), head)
        if not args.skip_all:
            time_all(jejak, head)
        timed = set(args.only.split(",")) if args.skip_all and args.only else set(runner.projections)
        bad = [s for s in runner.status() if s.name in timed and (s.lag or s.parked)]
        jejak.close()
    print(f"machine: {machine()}")
    if bad:
        print(f"NOT at the head or parked: {bad}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

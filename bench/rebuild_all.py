"""Benchmark: rebuild every projection from N stored events on SQLite, one by one and all together.

    .venv/bin/python -m bench.rebuild_all --events 100000 [--db PATH] [--skip-single]

The log is the one ``bench.rebuild_directory`` generates (units, employees with their NIP claims, career
changes), written once into ``bench/out/rebuild-all-<N>.db`` and reused. For each projection the run times
``ProjectionRunner.rebuild(name)`` and prints events/s and events per CPU-second (events = the whole log, which
every projection reads, whether or not it handles a topic); then it times ``rebuild_all()``, the single pass
``jejak projections rebuild`` runs, and prints its total rate. Afterwards every projection must be at the head
with nothing parked (exit status 1 otherwise). Nothing catches up by itself during the run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bench.rebuild_directory import OUT_DIR, generate, machine, settings_for, stored_count
from infrastructure.container import Jejak


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main(argv: list[str] | None = None) -> int:
    """Generate the log once, then time each projection's rebuild and the rebuild of all."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--db", type=Path, default=None)
    p.add_argument("--skip-single", action="store_true", help="time only the rebuild of all")
    p.add_argument("--only", default=None, help="comma-separated projections to time one by one")
    args = p.parse_args(argv)
    db = args.db or OUT_DIR / f"rebuild-all-{args.events}.db"
    if stored_count(db) != args.events:
        db.parent.mkdir(parents=True, exist_ok=True)
        generate(db, args.events, max(args.events // 8, 1), seed=13)
    jejak = Jejak(settings_for(db))
    runner = jejak.projections
    head = runner.head()
    print(f"log: {head:,} events in {db}; load {os.getloadavg()[0]:.2f}")
    print(f"{'projection':<14}{'wall s':>9}{'CPU s':>9}{'events/s':>12}{'events/CPU-s':>14}  load")
    names = args.only.split(",") if args.only else list(runner.projections)
    if not args.skip_single:
        for name in names:
            load = os.getloadavg()[0]
            wall, cpu = time.perf_counter(), _cpu()
            runner.rebuild(name)
            wall, cpu = time.perf_counter() - wall, _cpu() - cpu
            print(f"{name:<14}{wall:9.2f}{cpu:9.2f}{head / wall:12,.0f}{head / max(cpu, 1e-9):14,.0f}  "
                  f"{load:.2f}->{os.getloadavg()[0]:.2f}", flush=True)
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), _cpu()
    steps = runner.rebuild_all()
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    print(f"{'ALL':<14}{wall:9.2f}{cpu:9.2f}{head / wall:12,.0f}{head / max(cpu, 1e-9):14,.0f}  "
          f"{load:.2f}->{os.getloadavg()[0]:.2f}   steps: "
          + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()))
    bad = [s for s in runner.status() if s.lag or s.parked]
    jejak.close()
    print(f"machine: {machine()}")
    if bad:
        print(f"NOT at the head or parked: {bad}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

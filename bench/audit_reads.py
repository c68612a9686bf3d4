"""Benchmark: the audit log's filters by date on a large log, through ``AuditView.events`` (what the API and the
event-log page call), on an SQLite file whose audit index is built.

    .venv/bin/python -m bench.audit_reads [--db bench/out/rebuild-all-1000000.db] [--reps 7] [--limit 50]

The default file is the log ``bench.rebuild_all --events 1000000`` writes (its audit index built by that run). Ranges
are placed by share of the log's time span: a day in the middle (oldest and newest first), since the last tenth
(oldest first), until the first tenth (newest first). Prints the median and the slowest wall milliseconds of
``--reps`` reads after one warm-up, the rows answered and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from application.queries.filters import AuditFilter
from infrastructure.read_models.audit_index import AuditView, audit_index

DEFAULT_DB = Path(__file__).resolve().parent / "out" / "rebuild-all-1000000.db"


def reads(view: AuditView, first: datetime, last: datetime, limit: int) -> dict[str, Callable[[], Any]]:
    """The timed reads, by name."""
    def at(share: float) -> datetime:
        return first + (last - first) * share

    middle = at(0.5)
    day = AuditFilter(since=middle, until=middle + timedelta(days=1))
    return {
        "a day in the middle, oldest first": lambda: view.events(day, limit),
        "a day in the middle, newest first": lambda: view.events(day, limit, newest_first=True),
        "since the last tenth, oldest first": lambda: view.events(AuditFilter(since=at(0.9)), limit),
        "until the first tenth, newest first": lambda: view.events(AuditFilter(until=at(0.1)), limit,
                                                                   newest_first=True),
    }


def main(argv: list[str] | None = None) -> int:
    """Time each read on the file."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--limit", type=int, default=50)
    args = p.parse_args(argv)
    if not args.db.exists():
        print(f"{args.db} is missing: run bench.rebuild_all --events 1000000 first", file=sys.stderr)
        return 1
    engine = create_engine(f"sqlite:///{args.db}")
    with engine.connect() as conn:
        first, last, events = conn.execute(select(func.min(audit_index.c.timestamp), func.max(audit_index.c.timestamp),
                                                  func.count())).one()
    print(f"{events:,} events stamped {first} .. {last}; load {os.getloadavg()[0]:.2f}")
    print(f"{'read':<40}{'median ms':>10}{'max ms':>9}{'rows':>6}")
    for name, read in reads(AuditView(engine), first, last, args.limit).items():
        rows = len(read()[0])
        times = []
        for _ in range(args.reps):
            began = time.perf_counter()
            read()
            times.append((time.perf_counter() - began) * 1000)
        print(f"{name:<40}{statistics.median(times):10.1f}{max(times):9.1f}{rows:6d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

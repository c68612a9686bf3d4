"""The main reads on a large ledger against the same reads on the demo, in process (Flask test client, no network).

    .venv/bin/python -m bench.instansi_reads --db bench/out/instansi-3000x8.db [--requests 200]
    .venv/bin/python -m bench.instansi_reads --database-url postgresql://postgres@127.0.0.1/jejak_scale \
        --demo-url postgresql://postgres@127.0.0.1/test     # both on PostgreSQL (the demo in a schema of its own there)

Reads, as HR with a bearer token: the directory's first page, the first page of an employee's timeline (20 items, as
the directory's page) and their whole timeline, a first page of as many items as the demo's page of the same call
has (the demo's employees have short careers: this one compares equal answers), a closed round's 360 report, a
promotion case, its decision replay, the decision history's first page, and (as an auditor) the first page of the
event log filtered by a kind of event (five promotion decisions: on the large ledger the first lies three
quarters into the log). Each read is timed over ``--requests``
calls spread over different ids (seeded), on the given database and on a fresh demo ledger (`jejak demo` into a
temporary directory), the two taking turns call by call so a change in the machine's load weighs on both; p50 and
p99 are printed with the ratio large/demo. The read models must be caught up
(`jejak projections rebuild` first); nothing catches up here.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import text

from application.actor import system_actor
from bench.generate_instansi import settings
from infrastructure.container import Jejak
from infrastructure.demo import load_demo
from web import create_app

READS = ("directory page", "timeline", "whole timeline", "timeline, demo's", "360 report", "promotion case", "replay",
         "decision history", "audit log, a kind")
AUDITOR_READS = {"audit log, a kind"}  # read with an auditor's token, the others with HR's
SAME = "timeline, demo's"  # as many items of a large-ledger timeline as the demo's timeline of the same call has


def ids(jejak: Jejak, query: str, limit: int = 500) -> list[str]:
    """Up to ``limit`` ids from a read-model table (seeded sample)."""
    with jejak.engine.connect() as conn:
        found = [str(r[0]) for r in conn.execute(text(query))]
    random.Random(7).shuffle(found)
    return found[:limit]


PathFor = Callable[[int], str]


def prepare(jejak: Jejak, catch_up: list[str] | None = None, sizes: list[int] | None = None
            ) -> tuple[Any, dict[str, dict[str, str]], dict[str, PathFor]]:
    """A test client on the system, each read's headers (an HR or an auditor's bearer token) and its path for the
    i-th call (ids seeded); with ``sizes``, the i-th call of the ``SAME`` read asks for that many items (else for a
    page of 20)."""
    app = create_app({"TESTING": True, "JEJAK": jejak})
    client = app.test_client()
    tokens = {role: jejak.access.issue(system_actor("bench"), role, f"Bench {role}").token
              for role in ("hr_admin", "auditor")}
    names: list[str | None] = list(catch_up) if catch_up else [None]  # None: every projection
    for name in names:  # the token's grant
        jejak.projections.catch_up(name)
    people = ids(jejak, "SELECT id FROM directory_employees ORDER BY id")
    rounds = ids(jejak, "SELECT id FROM feedback_rounds WHERE status = 'closed' ORDER BY id")
    cases = ids(jejak, "SELECT id FROM promotion_cases WHERE decisions > 0 ORDER BY id")
    paths: dict[str, PathFor] = {
        "directory page": lambda i: "/api/employees?limit=20",
        "timeline": lambda i: f"/api/employees/{people[i % len(people)]}/timeline?limit=20",
        "whole timeline": lambda i: f"/api/employees/{people[i % len(people)]}/timeline?limit=500",
        SAME: lambda i: f"/api/employees/{people[i % len(people)]}/timeline?limit="
                        f"{sizes[i % len(sizes)] if sizes else 20}",
        "360 report": lambda i: f"/api/feedback-rounds/{rounds[i % len(rounds)]}/report",
        "promotion case": lambda i: f"/api/promotion-cases/{cases[i % len(cases)]}",
        "replay": lambda i: f"/api/promotion-cases/{cases[i % len(cases)]}/replay",
        "decision history": lambda i: "/api/promotion-decisions?limit=20",
        "audit log, a kind": lambda i: "/api/audit/events?topic=PromotionCase.Decided&limit=5",
    }
    headers = {name: {"Authorization": f"Bearer {tokens['auditor' if name in AUDITOR_READS else 'hr_admin']}"}
               for name in READS}
    return client, headers, paths


def timeline_sizes(jejak: Jejak) -> list[int]:
    """How many items (1 to 20) the ``SAME`` read's first page has on this ledger, call by call (its employees in the
    order ``prepare`` samples them): the other ledger's calls then ask for as many, so both answer as much."""
    with jejak.engine.connect() as conn:
        counts = {str(r[0]): int(r[1]) for r in conn.execute(text(
            "SELECT employee_id, count(*) FROM career_timeline GROUP BY employee_id"))}
    people = ids(jejak, "SELECT id FROM directory_employees ORDER BY id")  # as ``prepare`` samples them
    return [max(1, min(20, counts.get(person, 0))) for person in people]


def measure(sides: dict[str, tuple[Any, dict[str, dict[str, str]], dict[str, PathFor]]], requests: int,
            cold: dict[str, Callable[[], None]] | None = None
            ) -> dict[str, tuple[dict[str, list[float]], dict[str, list[float]], dict[str, list[float]]]]:
    """Milliseconds per call of each read on each side: wall clock, and CPU of this process (steadier on a shared
    machine); and the bytes of each answer (a read that returns more may cost more). The sides take turns call by call (the first alternating), so a change in the machine's load
    weighs on both alike. With ``cold``, each side's callable runs before each of its calls, untimed (it empties
    the aggregate cache: the demo's few cases and rounds otherwise stay cached while the large ledger's are read
    afresh)."""
    out: dict[str, tuple[dict[str, list[float]], dict[str, list[float]], dict[str, list[float]]]] = {
        side: ({}, {}, {}) for side in sides}
    for name in READS:
        for side, (client, headers, paths) in sides.items():
            client.get(paths[name](0), headers=headers[name])  # warm
            out[side][0][name], out[side][1][name], out[side][2][name] = [], [], []
        order = list(sides)
        for i in range(requests):
            for side in (order if i % 2 == 0 else order[::-1]):
                client, headers, paths = sides[side]
                if cold:
                    cold[side]()
                began, began_cpu = time.perf_counter(), time.process_time()
                response = client.get(paths[name](i), headers=headers[name])
                out[side][0][name].append((time.perf_counter() - began) * 1000)
                out[side][1][name].append((time.process_time() - began_cpu) * 1000)
                out[side][2][name].append(len(response.get_data()))
                if response.status_code != 200:
                    raise SystemExit(f"{side} {name}: {paths[name](i)} answered {response.status_code}: "
                                     f"{response.get_data()[:300]!r}")
    return out


def p(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of the values."""
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


@contextmanager
def _dropped(url: str | None, schema: str) -> Iterator[None]:
    """Drop the demo's schema on the PostgreSQL server of ``url`` afterwards (nothing for SQLite)."""
    try:
        yield
    finally:
        if url:
            with psycopg.connect(url.split("?", 1)[0], autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main(argv: list[str] | None = None) -> int:
    """Measure both ledgers and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=None, help="the large ledger's SQLite file")
    parser.add_argument("--database-url", default=None, help="or its PostgreSQL URL")
    parser.add_argument("--demo-url", default=None, help="a PostgreSQL database for the demo, loaded into a schema "
                        "of its own there and dropped afterwards (default: an SQLite file)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cold", action="store_true", help="empty each side's aggregate cache before each call "
                        "(untimed), so both read every aggregate from the database")
    parser.add_argument("--catch-up", default=None, help="on the large ledger catch up only these projections "
                        "(comma-separated; the read models the reads use must be current already)")
    args = parser.parse_args(argv)
    if (args.db is None) == (args.database_url is None):
        parser.error("give --db or --database-url")
    large = Jejak(settings(args.db, args.database_url))
    head = large.projections.head()
    demo_schema = f"bench_demo_{uuid.uuid4().hex[:12]}"
    demo_url = f"{args.demo_url}{'&' if '?' in args.demo_url else '?'}schema={demo_schema}" if args.demo_url else None
    with tempfile.TemporaryDirectory() as tmp, _dropped(args.demo_url, demo_schema):
        demo = Jejak(settings(None if demo_url else Path(tmp) / "jejak.db", demo_url))
        demo.init(system_actor("bench"))
        load_demo(demo)
        demo.projections.catch_up()
        small_head = demo.projections.head()
        sides = {"large": prepare(large, args.catch_up.split(",") if args.catch_up else None, timeline_sizes(demo)),
                 "demo": prepare(demo)}
        loads = [os.getloadavg()[0]]
        measured = measure(sides, args.requests, {"large": large.ledger.forget_cached,
                                                  "demo": demo.ledger.forget_cached} if args.cold else None)
        loads.append(os.getloadavg()[0])
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # this process served every read
        demo.close()
    large.close()
    (big, big_cpus, big_bytes), (small, small_cpus, small_bytes) = measured["large"], measured["demo"]
    big_cpu, small_cpu = sum(sum(v) for v in big_cpus.values()) / 1000, sum(sum(v) for v in small_cpus.values()) / 1000
    print(f"large ledger: {head:,} events; demo: {small_head:,} events; {args.requests} calls per read, the two "
          f"taking turns{', aggregate caches emptied before each' if args.cold else ''}; CPU s of the calls: large {big_cpu:.1f}, demo {small_cpu:.1f}; peak RSS of the process "
          f"serving both {rss:.0f} MB; load {loads[0]:.1f}->{loads[1]:.1f}")
    print(f"{'read':<18}{'demo p50':>10}{'demo p99':>10}{'large p50':>11}{'large p99':>11}{'p99 ratio':>11}"
          f"{'KB demo / large':>18}")
    rows: dict[str, Any] = {}
    for name in READS:
        d50, d99, l50, l99 = p(small[name], .5), p(small[name], .99), p(big[name], .5), p(big[name], .99)
        rows[name] = (d50, d99, l50, l99)
        sizes = f"{statistics.mean(small_bytes[name]) / 1024:.1f} / {statistics.mean(big_bytes[name]) / 1024:.1f}"
        print(f"{name:<18}{d50:>10.1f}{d99:>10.1f}{l50:>11.1f}{l99:>11.1f}{l99 / d99:>10.2f}x{sizes:>18}")
    print(f"(ms; medians of all calls: demo {statistics.median(sum(small.values(), [])):.1f}, "
          f"large {statistics.median(sum(big.values(), [])):.1f})")
    print("CPU ms of this process per call (the database server's CPU not included on PostgreSQL):")
    print(f"{'read':<18}{'demo p50':>10}{'demo p99':>10}{'large p50':>11}{'large p99':>11}{'p99 ratio':>11}")
    for name in READS:
        d50, d99, l50, l99 = (p(small_cpus[name], .5), p(small_cpus[name], .99), p(big_cpus[name], .5),
                              p(big_cpus[name], .99))
        print(f"{name:<18}{d50:>10.1f}{d99:>10.1f}{l50:>11.1f}{l99:>11.1f}{l99 / d99:>10.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

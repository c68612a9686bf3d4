"""Benchmark: CPU and SQL per request, in one process (no server, no load generator; steady on a busy machine).

    .venv/bin/python -m bench.request_cost [--requests 300] [--profile] [--only submit,report]
    .venv/bin/python -m bench.request_cost --postgres postgresql://postgres@127.0.0.1:5432/test [--show-sql]
    .venv/bin/python -m bench.request_cost --twin --only submit   # two apps on one database, taking turns

Uses a copy of the database ``bench.http_write`` seeds (``bench/out/http/seeded``; seeded here when missing) and
Flask's test client: it sends each kind of request ``--requests`` times (after a warm-up) and prints the CPU
milliseconds per request of this process (the kernel's part beside it) and the read-model SQL statements and write transactions per request
(counted on the read-model engine; the event store's own statements are not included). ``--profile`` prints
the top functions of a cProfile run over the same requests. With ``--postgres URL`` the same is seeded into a fresh
schema ``bench_cost`` there, and the last column counts every round trip to the server through psycopg (statements
on both stores, the library's pooled ones included, and commits); CPU is this process's, and the column after it
the PostgreSQL server processes' (all of them on this machine, from ``/proc``: keep it otherwise quiet).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.http_bench import OUT, fresh_copy, load_plan, pg_url, seed


def main(argv: list[str] | None = None) -> int:
    """Seed when needed, then time each kind of request in this process."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--rounds", type=int, default=60)
    p.add_argument("--profile", action="store_true")
    p.add_argument("--only", default=None)
    p.add_argument("--show-sql", action="store_true", help="print every SQL statement of one request of each kind, and how often each ran per request")
    p.add_argument("--postgres", default=None, metavar="URL", help="seed and run on PostgreSQL instead")
    p.add_argument("--twin", action="store_true",
                   help="two apps on the one database take turns (as two gunicorn workers' processes would): each "
                        "request follows one the other app wrote or read")
    args = p.parse_args(argv)
    traced: list[str] = []
    if args.postgres:
        url = pg_url(args.postgres, "bench_cost")
        print("seeding Jejak on PostgreSQL ...", file=sys.stderr)
        var = OUT / "run-cost-pg"
        plan = seed(var, args.rounds, url)
        env = {"JEJAK_VAR_DIR": str(var), "JEJAK_DATABASE_URL": url}
        trace_psycopg(traced)
    else:
        plan = load_plan(OUT / "seeded", args.rounds, False)
        var = fresh_copy(OUT / "seeded", "run-cost")
        env = {"JEJAK_VAR_DIR": str(var)}
        trace_sqlite(traced)
    from infrastructure.config import Settings
    from infrastructure.container import Jejak
    from web import create_app

    system = Jejak(Settings.from_env(env))
    app = create_app({"JEJAK": system})
    clients = [app.test_client()]
    if args.twin:
        clients.append(create_app({"JEJAK": Jejak(Settings.from_env(env))}).test_client())
    turn = {"n": 0}

    def client() -> Any:
        turn["n"] += 1
        return clients[turn["n"] % len(clients)]

    counts = {"sql": 0, "writes": 0}
    @event.listens_for(system.engine, "before_cursor_execute")
    def count_sql(*_: Any) -> None:
        counts["sql"] += 1

    @event.listens_for(system.engine, "begin")
    def count_begin(conn: Any) -> None:
        if conn.get_execution_options().get("jejak_write"):
            counts["writes"] += 1

    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    rounds = plan["rounds"]
    state = {"i": 0}

    def submit() -> Any:
        state["i"] += 1
        r = rounds[state["i"] % len(rounds)]
        token = plan["tokens"][r["reviewers"][(state["i"] // len(rounds)) % 3]]
        return client().post(f"/api/feedback-rounds/{r['id']}/responses", headers=auth(token),
                           json={"ratings": r["ratings"], "comments": r["comments"]})

    def get(path: Callable[[int], str], token: str | None = None) -> Callable[[], Any]:
        def call() -> Any:
            state["i"] += 1
            return client().get(path(state["i"]), headers=auth(token or plan["hr_token"]))
        return call

    end = date.today() - timedelta(days=30)

    def training() -> Any:  # as bench.http_write's jejak_training: HR records one with a fresh certificate number
        state["i"] += 1
        return client().post("/api/trainings", headers=auth(plan["hr_token"]), json={
            "employee_id": plan["employees"][0], "course": "Pelatihan Analis Kebijakan", "provider": "BPSDM Provinsi",
            "jp": 16, "start_date": (end - timedelta(days=2)).isoformat(), "end_date": end.isoformat(),
            "certificate_number": f"COST-{time.time_ns()}-{state['i']}"})

    def assess() -> Any:  # as bench.http_write's jejak_assess: the assessor assesses again
        state["i"] += 1
        a = plan["appraisals"][state["i"] % len(plan["appraisals"])]
        return client().post(f"/api/appraisals/{a['id']}/assessment", headers=auth(a["token"]),
                           json={"work_results": "as_expected", "behaviour": "above" if state["i"] % 2 else "below"})

    people, closed, cases = plan["employees"], plan["closed_rounds"], plan["cases"]
    kinds: dict[str, Callable[[], Any]] = {
        "submit": submit,
        "assess": assess,
        "training": training,
        "employee": get(lambda i: f"/api/employees/{people[i % len(people)]}"),
        "report": get(lambda i: f"/api/feedback-rounds/{closed[i % len(closed)]}/report"),
        "employees_page": get(lambda i: "/api/employees?limit=20"),
        "timeline": get(lambda i: f"/api/employees/{people[i % len(people)]}/timeline"),
        "case": get(lambda i: f"/api/promotion-cases/{cases[i % len(cases)]}"),
        "decisions": get(lambda i: "/api/promotion-decisions?limit=20"),
        "scoped_rounds": get(lambda i: "/api/feedback-rounds?limit=20", plan["boss_token"]),
    }
    only = set(args.only.split(",")) if args.only else set(kinds)
    every = "round trips/req" if args.postgres else "all SQLite/req"
    server = f"{'PG CPU ms':>11}" if args.postgres else ""
    print(f"{'request':<16}{'CPU ms':>9}{'sys ms':>8}{'SQL/req':>9}{'write tx/req':>14}{every:>16}{server}")
    for name, call in kinds.items():
        if name not in only:
            continue
        for _ in range(20):
            answer = call()
            if answer.status_code >= 400:
                print(f"{name}: {answer.status_code} {answer.get_data(as_text=True)[:300]}", file=sys.stderr)
                return 1
        if args.show_sql:
            traced.clear()
            call()
            print(f"-- {name}: {len(traced)} statements", *(f"   {t[:160]}" for t in traced), sep="\n")
        counts.update(sql=0, writes=0)
        traced.clear()
        profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU time: waits on fsync are not CPU
        start, server_start = os.times(), postgres_cpu() if args.postgres else 0.0
        if profiler:
            profiler.enable()
        for _ in range(args.requests):
            call()
        if profiler:
            profiler.disable()
        stop = os.times()
        cpu, kernel = ((stop.user + stop.system - start.user - start.system) / args.requests,
                       (stop.system - start.system) / args.requests)
        server = f"{(postgres_cpu() - server_start) / args.requests * 1000:11.2f}" if args.postgres else ""
        print(f"{name:<16}{cpu * 1000:9.2f}{kernel * 1000:8.2f}{counts['sql'] / args.requests:9.1f}"
              f"{counts['writes'] / args.requests:14.1f}{round_trips(traced) / args.requests:16.1f}{server}")
        if args.show_sql:  # what the average is made of: requests differ (a token's first, a catch-up's batch)
            tally = Counter(" ".join(t.split())[:100] for t in traced)
            print(*(f"   {n / args.requests:6.2f}  {t}" for t, n in tally.most_common()), sep="\n")
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            if os.environ.get("PROFILE_OUT"):  # the raw stats, for pstats' callers and callees
                stats.dump_stats(f"{os.environ['PROFILE_OUT']}.{name}")
            stats.sort_stats("cumulative").print_stats(int(os.environ.get("PROFILE_LINES", "60")))
            stats.sort_stats("tottime").print_stats(25)
            print(out.getvalue())
    system.close()
    return 0


def postgres_cpu() -> float:
    """CPU seconds (user and system) of every PostgreSQL server process on this machine so far (the server is
    local; other clients' work counts too, so the machine should be quiet)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
        except OSError:  # a process that ended meanwhile
            continue
        if fields[0].endswith("(postgres"):
            values = fields[1].split()
            total += int(values[11]) + int(values[12])  # utime, stime (fields 14 and 15 of stat)
    return total / tick


def trace_sqlite(traced: list[str]) -> None:
    """Note every statement of every SQLite connection made from now on (both stores; BEGIN and COMMIT too)."""
    import sqlite3

    connect = sqlite3.connect

    def traced_connect(*a: Any, **k: Any) -> sqlite3.Connection:
        connection = connect(*a, **k)
        connection.set_trace_callback(traced.append)
        return connection

    sqlite3.connect = sqlite3.dbapi2.connect = traced_connect  # type: ignore[assignment]  # SQLAlchemy's is dbapi2's


PIPELINED = "(pipelined) "


def round_trips(traced: list[str]) -> int:
    """The round trips among the noted statements (those sent in a pipeline go in its one)."""
    return sum(1 for t in traced if not t.startswith(PIPELINED))


def trace_psycopg(traced: list[str]) -> None:
    """Note every round trip to PostgreSQL through psycopg from now on: statements (a batch of ``executemany`` is
    one pipeline, noted once), commits and rollbacks; statements sent in a pipeline are noted with ``PIPELINED``
    before them, and the pipeline's one round trip as ``PIPELINE`` (``round_trips`` counts it, not them)."""
    import psycopg

    def noting(cls: Any, method: str, text: Callable[[tuple[Any, ...]], str]) -> None:
        original = getattr(cls, method)

        def wrapper(self: Any, *a: Any, **k: Any) -> Any:
            traced.append(f"{PIPELINED}{text(a)}" if self.connection._pipeline is not None else text(a))
            return original(self, *a, **k)
        setattr(cls, method, wrapper)

    pipeline = psycopg.Connection.pipeline

    @contextmanager
    def piped(self: Any) -> Iterator[Any]:
        outermost = self._pipeline is None
        with pipeline(self) as p:
            yield p
        if outermost:
            traced.append("PIPELINE")
    psycopg.Connection.pipeline = piped  # type: ignore[method-assign]

    def query(a: tuple[Any, ...]) -> str:
        q = a[0] if a else ""
        return q if isinstance(q, str) else q.as_string(None) if hasattr(q, "as_string") else repr(q)

    noting(psycopg.Cursor, "execute", query)
    noting(psycopg.Cursor, "executemany", lambda a: f"(many) {query(a)}")
    idle = psycopg.pq.TransactionStatus.IDLE
    for method in ("commit", "rollback"):  # sent only in a transaction
        original = getattr(psycopg.Connection, method)

        def ending(self: Any, _original: Any = original, _name: str = method.upper()) -> Any:
            if self.pgconn.transaction_status != idle:
                traced.append(_name)
            return _original(self)
        setattr(psycopg.Connection, method, ending)
    enter, leave = psycopg.Transaction.__enter__, psycopg.Transaction.__exit__

    def entering(self: Any) -> Any:  # a transaction block (the library's reads and writes): BEGIN or SAVEPOINT
        traced.append("BEGIN (block)")
        return enter(self)

    def leaving(self: Any, *a: Any) -> Any:  # and COMMIT, ROLLBACK or RELEASE
        traced.append("END (block)")
        return leave(self, *a)
    psycopg.Transaction.__enter__, psycopg.Transaction.__exit__ = entering, leaving  # type: ignore[method-assign]
    start = psycopg.Connection._start_query  # a statement outside a transaction is preceded by a BEGIN of its own

    def starting(self: Any) -> Any:
        if not self.autocommit and self.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            traced.append("BEGIN")
        return start(self)
    psycopg.Connection._start_query = starting  # type: ignore[method-assign]


if __name__ == "__main__":
    sys.exit(main())

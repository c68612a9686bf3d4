"""Benchmark: CPU and SQL per request, in one process (no server, no load generator; steady on a busy machine).

    .venv/bin/python -m bench.request_cost [--requests 300] [--profile] [--only submit,report]

Uses a copy of the database ``bench.http_write`` seeds (``bench/out/http/seeded``; seeded here when missing) and
Flask's test client: it sends each kind of request ``--requests`` times (after a warm-up) and prints the CPU
milliseconds per request of this process and the read-model SQL statements and write transactions per request
(counted on the read-model engine; the event store's own statements are not included). ``--profile`` prints
the top functions of a cProfile run over the same requests.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event

from bench.http_bench import OUT, fresh_copy, load_plan


def main(argv: list[str] | None = None) -> int:
    """Seed when needed, then time each kind of request in this process."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--rounds", type=int, default=60)
    p.add_argument("--profile", action="store_true")
    p.add_argument("--only", default=None)
    p.add_argument("--show-sql", action="store_true", help="print every SQLite statement of one request of each kind")
    args = p.parse_args(argv)
    plan = load_plan(OUT / "seeded", args.rounds, False)
    var = fresh_copy(OUT / "seeded", "run-cost")

    import sqlite3

    traced: list[str] = []
    connect = sqlite3.connect

    def traced_connect(*a: Any, **k: Any) -> sqlite3.Connection:  # every statement of both stores, BEGIN/COMMIT too
        connection = connect(*a, **k)
        connection.set_trace_callback(traced.append)
        return connection

    sqlite3.connect = sqlite3.dbapi2.connect = traced_connect  # type: ignore[assignment]  # SQLAlchemy's is dbapi2's
    from infrastructure.config import Settings
    from infrastructure.container import Jejak
    from web import create_app

    system = Jejak(Settings.from_env({"JEJAK_VAR_DIR": str(var)}))
    app = create_app({"JEJAK": system})
    client = app.test_client()
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
        return client.post(f"/api/feedback-rounds/{r['id']}/responses", headers=auth(token),
                           json={"ratings": r["ratings"], "comments": r["comments"]})

    def get(path: Callable[[int], str], token: str | None = None) -> Callable[[], Any]:
        def call() -> Any:
            state["i"] += 1
            return client.get(path(state["i"]), headers=auth(token or plan["hr_token"]))
        return call

    end = date.today() - timedelta(days=30)

    def training() -> Any:  # as bench.http_write's jejak_training: HR records one with a fresh certificate number
        state["i"] += 1
        return client.post("/api/trainings", headers=auth(plan["hr_token"]), json={
            "employee_id": plan["employees"][0], "course": "Pelatihan Analis Kebijakan", "provider": "BPSDM Provinsi",
            "jp": 16, "start_date": (end - timedelta(days=2)).isoformat(), "end_date": end.isoformat(),
            "certificate_number": f"COST-{time.time_ns()}-{state['i']}"})

    def assess() -> Any:  # as bench.http_write's jejak_assess: the assessor assesses again
        state["i"] += 1
        a = plan["appraisals"][state["i"] % len(plan["appraisals"])]
        return client.post(f"/api/appraisals/{a['id']}/assessment", headers=auth(a["token"]),
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
    print(f"{'request':<16}{'CPU ms':>9}{'SQL/req':>9}{'write tx/req':>14}{'all SQLite/req':>16}")
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
        start = time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(args.requests):
            call()
        if profiler:
            profiler.disable()
        cpu = (time.process_time() - start) / args.requests
        print(f"{name:<16}{cpu * 1000:9.2f}{counts['sql'] / args.requests:9.1f}"
              f"{counts['writes'] / args.requests:14.1f}{len(traced) / args.requests:16.1f}")
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(int(__import__("os").environ.get("PROFILE_LINES", "60")))
            stats.sort_stats("tottime").print_stats(25)
            print(out.getvalue())
    system.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

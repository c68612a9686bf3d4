"""Benchmark: Jejak's read routes against a bare Flask GET reading one row.

    .venv/bin/python -m bench.http_read [--duration 10] [--reps 3] [--only jejak_employee,bare_get]

Targets (all through the real routes with a bearer token): ``jejak_employee`` (one employee), ``jejak_report``
(the 360 report of a closed round, as HR), ``jejak_employees_page`` (the directory's first page of 20),
``jejak_timeline`` (an employee's career timeline), ``jejak_case`` (one promotion case), ``jejak_decisions``
(the decision history's first page), ``jejak_scoped_rounds`` (the round list as the supervisor with the most
reports: a supervisor-scoped read) and ``bare_get`` (Flask + SQLAlchemy Core + marshmallow, one row by id).
All Jejak targets share one server. See ``bench/http_bench.py`` for how it runs and measures.
"""

from __future__ import annotations

import sys

from bench.baselines import GET_ROWS
from bench.http_bench import OUT, Call, Target, fresh_copy, jejak_env, load_plan, parser, run, with_before


def main(argv: list[str] | None = None) -> int:
    """Seed (once), start the servers, interleave wrk runs and print the ratios."""
    args = parser(__doc__ or "").parse_args(argv)
    plan = load_plan(OUT / "seeded", args.rounds, args.fresh)
    env = jejak_env(fresh_copy(OUT / "seeded", "run-read"))
    hr, boss = plan["hr_token"], plan["boss_token"]

    def jejak(name: str, paths: list[str], token: str = hr) -> Target:
        return Target(name, "wsgi:app", env, [Call("GET", p, token) for p in paths])

    people = plan["employees"]
    targets = [
        jejak("jejak_employee", [f"/api/employees/{e}" for e in people]),
        jejak("jejak_report", [f"/api/feedback-rounds/{r}/report" for r in plan["closed_rounds"]]),
        jejak("jejak_employees_page", ["/api/employees?limit=20"]),
        jejak("jejak_timeline", [f"/api/employees/{e}/timeline" for e in people]),
        jejak("jejak_case", [f"/api/promotion-cases/{c}" for c in plan["cases"]]),
        jejak("jejak_decisions", ["/api/promotion-decisions?limit=20"]),
        jejak("jejak_scoped_rounds", ["/api/feedback-rounds?limit=20"], boss),
        Target("bare_get", 'bench.baselines:create("bare_get")', {"BENCH_BASELINE_DIR": str(OUT / "baselines")},
               [Call("GET", f"/people/{i}") for i in range(1, GET_ROWS + 1)]),
    ]
    return run(with_before(targets, args), {t.name: ["bare_get"] for t in targets if t.name != "bare_get"}, args)


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: Jejak's write routes against a bare eventsourcing POST and a CRUD app with an audit-table row.

    .venv/bin/python -m bench.http_write [--duration 10] [--reps 3] [--only jejak_submit,bare_post,crud_post]

Targets: ``jejak_submit`` (POST a 360 response as an approved reviewer, through the real route, in one of the
seeded rounds), ``jejak_assess`` (the assessor POSTs an appraisal assessment, again and again in the seeded
appraisals), ``jejak_training`` (HR records a training completion with a fresh certificate number), ``bare_post``
(Flask + marshmallow + one eventsourcing event, the same body), ``crud_post`` (Flask + marshmallow + a row and an
audit-table row in one transaction, no checks) and ``crud_post_checked`` (the CRUD app doing what the same
submission needs: token, round, nomination and answers checked; response, nomination and audit rows written in one
transaction). With ``--postgres URL`` Jejak and the bare POST run on PostgreSQL (``jejak_submit_pg``,
``jejak_assess_pg``, ``bare_post_pg``; each in its own schema, made afresh) beside the SQLite targets. See
``bench/http_bench.py`` for how it runs and measures.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from bench.baselines import pg_env, prepare_checked
from bench.http_bench import (
    OUT,
    Call,
    Target,
    fresh_copy,
    jejak_env,
    load_plan,
    parser,
    pg_url,
    run,
    seed,
    with_before,
)


def calls(plan: dict[str, Any]) -> dict[str, list[Call]]:
    """The requests of each write target, from a seeded plan."""
    rounds = plan["rounds"]
    bodies = {r["id"]: json.dumps({"ratings": r["ratings"], "comments": r["comments"]}) for r in rounds}
    return {
        # consecutive calls go to different rounds
        "submit": [Call("POST", f"/api/feedback-rounds/{r['id']}/responses", plan["tokens"][r["reviewers"][k]],
                        bodies[r["id"]]) for k in range(3) for r in rounds],
        "bare": [Call("POST", f"/rounds/{r['id']}/responses", None, bodies[r["id"]]) for r in rounds],
        # the same reviewers, tokens and bodies as jejak_submit
        "checked": [Call("POST", f"/rounds/{r['id']}/responses", plan["tokens"][r["reviewers"][k]], bodies[r["id"]])
                    for k in range(3) for r in rounds],
        "assess": [Call("POST", f"/api/appraisals/{a['id']}/assessment", a["token"],
                        json.dumps({"work_results": "as_expected", "behaviour": "above" if i % 2 else "as_expected"}))
                   for i, a in enumerate(plan["appraisals"])],
    }


def main(argv: list[str] | None = None) -> int:
    """Seed (once), start the servers, interleave wrk runs and print the ratios."""
    p = parser(__doc__ or "")
    p.add_argument("--postgres", default=None, metavar="URL",
                   help="also run Jejak and the bare POST on PostgreSQL, e.g. postgresql://postgres@127.0.0.1:5432/test "
                        "(schemas bench_writes_jejak and bench_writes_bare are dropped and made afresh)")
    args = p.parse_args(argv)
    plan = load_plan(OUT / "seeded", args.rounds, args.fresh)
    prepare_checked(OUT / "baselines", plan, datetime.now(UTC) + timedelta(days=30))
    c = calls(plan)
    end = date.today() - timedelta(days=30)
    training = json.dumps({"employee_id": plan["employees"][0], "course": "Pelatihan Analis Kebijakan",
                           "provider": "BPSDM Provinsi", "jp": 16, "start_date": (end - timedelta(days=2)).isoformat(),
                           "end_date": end.isoformat(), "certificate_number": "BENCH-{n}"})
    baseline_dir = {"BENCH_BASELINE_DIR": str(OUT / "baselines")}
    targets = [
        Target("jejak_submit", "wsgi:app", jejak_env(fresh_copy(OUT / "seeded", "run-submit")), c["submit"]),
        Target("jejak_assess", "wsgi:app", jejak_env(fresh_copy(OUT / "seeded", "run-assess")), c["assess"]),
        Target("jejak_training", "wsgi:app", jejak_env(fresh_copy(OUT / "seeded", "run-training")),
               [Call("POST", "/api/trainings", plan["hr_token"])], unique=training),
        Target("bare_post", 'bench.baselines:create("bare_post")', baseline_dir, c["bare"]),
        Target("crud_post", 'bench.baselines:create("crud_post")', baseline_dir, c["bare"]),
        Target("crud_post_checked", 'bench.baselines:create("crud_post_checked")', baseline_dir, c["checked"]),
    ]
    lean = ["crud_post_checked", "crud_post", "bare_post"]
    bases = {"jejak_submit": lean, "jejak_assess": lean, "jejak_training": lean}
    if args.postgres:
        url = pg_url(args.postgres, "bench_writes_jejak")
        print("seeding Jejak on PostgreSQL ...", file=sys.stderr)
        pc = calls(seed(OUT / "run-pg", args.rounds, url))
        env = {"JEJAK_VAR_DIR": str(OUT / "run-pg"), "JEJAK_DATABASE_URL": url}
        bare_url = pg_url(args.postgres, "bench_writes_bare")
        # its tables, before two gunicorn workers race to create them in the fresh schema (a worker that lost
        # failed to boot and took the server down)
        Application[UUID](env=pg_env(bare_url)).close()
        targets += [
            Target("jejak_submit_pg", "wsgi:app", env, pc["submit"]),
            Target("jejak_assess_pg", "wsgi:app", env, pc["assess"]),
            Target("bare_post_pg", 'bench.baselines:create("bare_post_pg")', {"BENCH_BASELINE_PG": bare_url},
                   pc["bare"]),
        ]
        bases.update(jejak_submit_pg=["bare_post_pg"], jejak_assess_pg=["bare_post_pg"])
    return run(with_before(targets, args), bases, args)


if __name__ == "__main__":
    sys.exit(main())

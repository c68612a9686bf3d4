"""Benchmark: Jejak's write routes against a bare eventsourcing POST and a CRUD app with an audit-table row.

    .venv/bin/python -m bench.http_write [--duration 10] [--reps 3] [--only jejak_submit,bare_post,crud_post]

Targets: ``jejak_submit`` (POST a 360 response as an approved reviewer, through the real route, in one of the
seeded rounds), ``jejak_training`` (HR records a training completion with a fresh certificate number),
``bare_post`` (Flask + marshmallow + one eventsourcing event, the same body) and ``crud_post`` (Flask + marshmallow
+ a row and an audit-table row in one transaction). See ``bench/http_bench.py`` for how it runs and measures.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta

from bench.http_bench import OUT, Call, Target, fresh_copy, jejak_env, load_plan, parser, run, with_before


def main(argv: list[str] | None = None) -> int:
    """Seed (once), start the servers, interleave wrk runs and print the ratios."""
    args = parser(__doc__ or "").parse_args(argv)
    plan = load_plan(OUT / "seeded", args.rounds, args.fresh)
    rounds = plan["rounds"]
    submit = [Call("POST", f"/api/feedback-rounds/{r['id']}/responses", plan["tokens"][r["reviewers"][k]],
                   json.dumps({"ratings": r["ratings"], "comments": r["comments"]}))
              for k in range(3) for r in rounds]  # consecutive calls go to different rounds
    bare = [Call("POST", f"/rounds/{r['id']}/responses", None,
                 json.dumps({"ratings": r["ratings"], "comments": r["comments"]})) for r in rounds]
    end = date.today() - timedelta(days=30)
    training = json.dumps({"employee_id": plan["employees"][0], "course": "Pelatihan Analis Kebijakan",
                           "provider": "BPSDM Provinsi", "jp": 16, "start_date": (end - timedelta(days=2)).isoformat(),
                           "end_date": end.isoformat(), "certificate_number": "BENCH-{n}"})
    targets = [
        Target("jejak_submit", "wsgi:app", jejak_env(fresh_copy(OUT / "seeded", "run-submit")), submit),
        Target("jejak_training", "wsgi:app", jejak_env(fresh_copy(OUT / "seeded", "run-training")),
               [Call("POST", "/api/trainings", plan["hr_token"])], unique=training),
        Target("bare_post", 'bench.baselines:create("bare_post")', {"BENCH_BASELINE_DIR": str(OUT / "baselines")},
               bare),
        Target("crud_post", 'bench.baselines:create("crud_post")', {"BENCH_BASELINE_DIR": str(OUT / "baselines")},
               bare),
    ]
    bases = {"jejak_submit": ["bare_post", "crud_post"], "jejak_training": ["bare_post", "crud_post"]}
    return run(with_before(targets, args), bases,
               args)


if __name__ == "__main__":
    sys.exit(main())

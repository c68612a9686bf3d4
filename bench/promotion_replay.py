"""Benchmark: what an assessment, a decision, a replay, a drift and an offline replay of a promotion case cost.

    .venv/bin/python -m bench.promotion_replay --cases 200 [--db PATH]

Builds (once per file) an office of N candidates, each with two final annual appraisals and two verified training
completions, proposes one rank case each, then times every step per case through the application services on
SQLite and prints the figures (milliseconds per case: median and 95th percentile).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from tqdm import tqdm

from application.actor import Actor, system_actor
from application.audit_bundle import replay_bundle
from application.queries.filters import CaseFilter
from bench.rebuild_directory import machine
from infrastructure.config import Settings
from infrastructure.container import Jejak

OUT = Path(__file__).resolve().parent / "out"
HR = Actor(id="bench-hr", role="hr_admin", name="Admin BKPSDM")
COMMITTEE = Actor(id="bench-committee", role="committee", name="Tim Penilai Kinerja")
AUDITOR = Actor(id="bench-auditor", role="auditor", name="Inspektorat")


def build(jejak: Jejak, cases: int) -> list[UUID]:
    """A head and N candidates with an eligible record, one proposed rank case each; returns the case ids."""
    actor, reg = system_actor("bench"), jejak.registry
    reg.register_unit(actor, "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM")
    head = reg.register_employee(actor, nip="197001012000031001", name="Kepala", unit="BKPSDM",
                                 position="Kepala Badan", rank="IV/c", rank_since=date(2018, 4, 1)).id
    assessor = Actor(id="bench-head", role="supervisor", name="Kepala", employee_id=head)
    ids = []
    for i in tqdm(range(cases), desc="build", unit="candidate"):
        nip = f"19900101201503{1 + i % 2}{i + 1:03d}"
        person = reg.register_employee(actor, nip=nip, name=f"Pegawai {i:03d}", unit="BKPSDM", position="Analis",
                                       rank="III/a", rank_since=date(2022, 1, 1), supervisor_id=head).id
        for period in ("2024", "2025"):
            aid = jejak.appraisals.open(HR, person, period).id
            jejak.appraisals.agree_target(assessor, aid, "target", "indikator")
            jejak.appraisals.assess(assessor, aid, "as_expected", "as_expected")
            jejak.appraisals.finalise(assessor, aid)
        for n, day in enumerate((date(2025, 3, 3), date(2025, 9, 1))):
            tid = jejak.trainings.record(HR, employee_id=person, course="Latsar", provider="BPSDM", jp=10,
                                         start_date=day, end_date=day, certificate_number=f"B/{i}/{n}").id
            jejak.trainings.decide(HR, tid, "verified", "sertifikat diperiksa")
        ids.append(jejak.promotions.propose(HR, person, "rank", "2026-10", "usulan").id)
    jejak.projections.catch_up()
    return ids


def timed(label: str, ids: list[UUID], step: Callable[[UUID], Any]) -> dict[str, float]:
    """Run ``step`` for every case; milliseconds per case."""
    spent = []
    for case_id in tqdm(ids, desc=label, unit="case"):
        started = time.perf_counter()
        step(case_id)
        spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    return {"median_ms": round(statistics.median(spent), 2), "p95_ms": round(spent[int(len(spent) * 0.95) - 1], 2)}


def main(argv: list[str] | None = None) -> int:
    """Build (once), time each step, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args(argv)
    var = (args.db or OUT / f"promotions-{args.cases}").with_suffix("")
    fresh = not (var / "jejak.db").exists()
    jejak = Jejak(Settings.from_env({"JEJAK_VAR_DIR": str(var), "JEJAK_CATCH_UP_IN_REQUEST": "0"}))
    jejak.init(system_actor("bench"))
    if fresh:
        build(jejak, args.cases)
    ids = [row["id"] for row in jejak.promotion_view.cases(CaseFilter(), args.cases).items if row["status"] == "proposed"]
    if len(ids) < args.cases:
        print(f"{var} holds {len(ids)} undecided cases; pass another --db for a fresh run")
        return 1
    promotions = jejak.promotions
    figures: dict[str, Any] = {"benchmark": "promotion cases (SQLite)", "cases": len(ids)}
    figures["assess"] = timed("assess", ids, lambda c: promotions.assess(HR, c))
    figures["decide"] = timed("decide", ids, lambda c: promotions.decide(COMMITTEE, c, "approved", "ok", ["Ketua"]))
    figures["replay"] = timed("replay", ids, lambda c: promotions.replay(AUDITOR, c))
    figures["drift"] = timed("drift", ids, lambda c: promotions.drift(AUDITOR, c))
    bundles: dict[UUID, dict[str, Any]] = {}
    figures["export"] = timed("export", ids, lambda c: bundles.__setitem__(c, promotions.export(AUDITOR, c, "bench")))
    figures["offline_replay"] = timed("offline replay", ids, lambda c: replay_bundle(bundles[c]))
    consistent = sum(promotions.replay(AUDITOR, c).consistent for c in ids)
    figures.update(consistent=consistent, bundle_kib=round(len(json.dumps(bundles[ids[0]])) / 1024, 1),
                   date=time.strftime("%Y-%m-%d %H:%M"), **machine())
    jejak.close()
    print(json.dumps(figures, indent=2))
    return 0 if consistent == len(ids) else 1


if __name__ == "__main__":
    raise SystemExit(main())

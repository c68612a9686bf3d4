"""A ledger that took decisions under the first published rule set gets the corrected rules from `jejak init`:
the old decisions keep their pinned version and replay `consistent`, drift names what the correction changes, new
cases are judged by the corrected version, and old events (case proposals before promotion kinds) still load."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from application.rulebook import CORRECTED_TITLE, default_rules
from domain.promotion_case import CaseInvalid, PromotionCase
from infrastructure.container import Jejak
from tests.legacy import INIT, ledger_as_released, store_in_old_shape
from tests.promotions import AUDITOR, COMMITTEE, HR, MEMBERS, Office


@pytest.fixture
def old_ledger(backend: str, tmp_path: Path) -> Iterator[Jejak]:
    """A ledger as the earlier release left it: the first rule set (2023 defaults) is its only version."""
    yield from ledger_as_released(backend, tmp_path)


def decisions_under_v1(jejak: Jejak) -> tuple[Office, list[UUID]]:
    """An approved (rank applied at once, as v1 had it), a rejected and a flagged case, all under version 1."""
    office = Office.build(jejak)
    office.appraisal("2025", "Baik")
    office.appraisal("2024", "Sangat Baik")
    office.training(10, date(2025, 5, 5), number="800/A/2025")
    office.training(10, date(2025, 8, 4), number="800/B/2025")
    approved = office.decided("approved", period="2026-11")  # November: any month under v1
    rejected = office.jejak.promotions.propose(HR, office.ids["siti"], "rank", "2026-11", "usulan").id
    office.jejak.promotions.assess(HR, rejected)
    office.jejak.promotions.decide(COMMITTEE, rejected, "rejected", "belum memenuhi syarat", MEMBERS)
    return office, [approved, rejected]


def test_init_publishes_the_corrected_rules_and_old_decisions_replay_consistent(old_ledger: Jejak) -> None:
    office, case_ids = decisions_under_v1(old_ledger)
    before = [old_ledger.promotions.replay(AUDITOR, c).as_dict() for c in case_ids]

    assert old_ledger.init(INIT) is True
    assert old_ledger.init(INIT) is False  # idempotent

    versions = old_ledger.rules.all()
    assert [v.version for v in versions] == [1, 2] and versions[1].title == CORRECTED_TITLE
    assert versions[1].rules["promotion"]["kinds"] == default_rules()["promotion"]["kinds"]
    assert versions[1].rules["promotion"]["regular"]["require_yearly_jp_minimum"] is False
    assert versions[1].effective_from == versions[0].effective_from
    after = [old_ledger.promotions.replay(AUDITOR, c).as_dict() for c in case_ids]
    assert after == before
    assert all(r["consistent"] and r["rule_set_version"] == 1 for r in after)
    approved = old_ledger.promotions.case(HR, case_ids[0])
    assert approved.stage == "effective" and approved.rank_kind == "reguler"  # v1: no Pertek/SK was required


def test_drift_under_todays_rules_names_what_the_correction_changed(old_ledger: Jejak) -> None:
    office, case_ids = decisions_under_v1(old_ledger)
    old_ledger.init(INIT)

    drift = old_ledger.promotions.drift(AUDITOR, case_ids[0])

    assert drift["today"]["under_pinned_rules"]["rule_set_version"] == 1
    assert drift["today"]["under_current_rules"]["rule_set_version"] == 2
    changes = {c["criterion"]: c for c in drift["today"]["rule_changes"]}
    assert {"qualification_ceiling", "not_above_supervisor", "no_disciplinary_penalty", "ujian_dinas"} <= {
        name for name, c in changes.items() if c["change"] == "added"}
    assert changes["training_jp"]["change"] == "changed"
    assert changes["training_jp"]["under_current_rules"]["values"]["required"] is False
    # no qualification was recorded under v1, so the corrected rules would not have found her eligible
    assert changes["qualification_ceiling"]["under_current_rules"]["met"] is False
    # the case's own rank change is a consequence, not new evidence, and does not undo the approval
    assert drift["changed_inputs"] == 0 and [c["event"] for c in drift["consequences"]] == ["Employee.RankChanged"]
    assert drift["today"]["under_pinned_rules"]["eligible"] is True


def test_new_cases_after_the_correction_are_judged_by_it(old_ledger: Jejak) -> None:
    office, _ = decisions_under_v1(old_ledger)
    old_ledger.init(INIT)
    with pytest.raises(CaseInvalid) as march:
        old_ledger.promotions.propose(HR, office.ids["head"], "rank", "2027-03", "usulan")
    assert set(march.value.errors) == {"period"}

    case = old_ledger.promotions.propose(HR, office.ids["head"], "rank", "2027-04", "usulan")
    assessed = old_ledger.promotions.assess(HR, case.id)

    assert assessed.assessment is not None and assessed.assessment.rule_set_version == 2


def test_a_case_proposed_before_promotion_kinds_loads_as_a_regular_promotion(old_ledger: Jejak) -> None:
    office = Office.build(old_ledger)
    case = PromotionCase.propose(candidate_id=office.ids["dewi"], kind="rank", period="2026-07", reason="usulan",
                                 unit="BKPSDM", rank="III/a")
    store_in_old_shape(old_ledger, case.collect_events(), drop=("rank_kind",))
    old_ledger.projections.catch_up()

    loaded = old_ledger.promotions.case(HR, case.id)

    assert (loaded.kind, loaded.rank_kind, loaded.stage) == ("rank", "reguler", "proposed")
    assessed = old_ledger.promotions.assess(HR, case.id)
    assert assessed.assessment is not None and assessed.assessment.rule_set_version == 1


"""Promotion and grievance pages: the case with its criteria and evidence, the committee's form (justification next to
its field, stale evidence listed with a way to reassess), replay and drift, the decision history, the grievance
filed by the candidate, HR's assignment and the investigator's case file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from application.actor import Actor
from tests.web.pages import HR, Site, as_person, build_site, csrf_token, post_form, read_with_reason

COMMITTEE = Actor(id="page-test-committee", role="committee", name="Tim Penilai Kinerja")
MEMBERS = "Sekretaris Daerah\nKepala BKPSDM"


def propose_and_assess(site: Site, period: str = "2026-10") -> UUID:
    """A rank case of the staff member, assessed (she has no appraisals: not eligible)."""
    svc = site.jejak.promotions
    case_id: UUID = svc.propose(HR, site.api.ids["staff"], "rank", period, "usulan kenaikan pangkat reguler").id
    svc.assess(HR, case_id)
    return case_id


def decide_on_page(site: Site, case_id: UUID, outcome: str, **extra: str) -> Any:
    """The committee member posts the decision form from the case page."""
    form = {"outcome": outcome, "rationale": "kebutuhan organisasi", "members_present": MEMBERS, **extra}
    return post_form(site.client("committee"), f"/promotions/{case_id}/decision", form, f"/promotions/{case_id}")


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A fresh seeded site per test (decisions change the cases)."""
    yield from build_site(tmp_path_factory.mktemp("pages-promotions"))


def test_case_page_shows_criteria_values_pinned_evidence_and_rule_set_version(site: Site) -> None:
    case_id = propose_and_assess(site)

    html = site.client("committee").get(f"/promotions/{case_id}").get_data(as_text=True)

    assert 'id="criterion-years_in_rank"' in html and 'id="criterion-recent_appraisals"' in html
    assert "✗ tidak terpenuhi" in html  # no appraisals: recent_appraisals is not met
    assert 'id="rule-set-version">1<' in html
    assert str(site.api.ids["staff"]) in html  # the employee record pinned by id, with its version
    assert 'action="/promotions/' + str(case_id) + '/decision"' in html


def test_criteria_dates_read_in_one_format_per_language(site: Site) -> None:
    case_id = propose_and_assess(site)
    client = site.client("committee")

    indonesian = client.get(f"/promotions/{case_id}").get_data(as_text=True)
    with client.session_transaction() as session:
        session["lang"] = "en"
    english = client.get(f"/promotions/{case_id}").get_data(as_text=True)

    assert "1 Mar 2015" in indonesian and "1 Okt 2026" in indonesian  # in the rank since; measured on the TMT
    assert "1 Oct 2026" in english
    assert "2015-03-01" not in indonesian + english and "2026-10-01" not in indonesian + english


def test_a_contrary_decision_without_justification_shows_the_message_next_to_the_field(site: Site) -> None:
    case_id = propose_and_assess(site)

    refused = decide_on_page(site, case_id, "approved")

    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="justification-error" role="alert"' in html
    assert site.jejak.promotions.case(COMMITTEE, case_id).decision is None


def test_the_committee_decides_from_the_form_and_a_flagged_decision_is_marked(site: Site) -> None:
    case_id = propose_and_assess(site)

    done = decide_on_page(site, case_id, "approved", justification="formasi mendesak")

    assert done.status_code == 302
    case = site.jejak.promotions.case(COMMITTEE, case_id)
    assert case.decision.outcome == "approved" and list(case.decision.members_present) == ["Sekretaris Daerah",
                                                                                            "Kepala BKPSDM"]
    html = site.client("committee").get(done.headers["Location"]).get_data(as_text=True)
    assert 'class="badge over flagged"' in html
    history = site.client("auditor").get("/promotion-decisions?flagged=yes").get_data(as_text=True)
    assert f"/promotions/{case_id}" in history and "flagged-row" in history


def test_stale_evidence_lists_the_changed_inputs_and_offers_to_reassess(site: Site) -> None:
    case_id = propose_and_assess(site)
    late = site.jejak.trainings.record(HR, employee_id=site.api.ids["staff"], course="Diklat Kepemimpinan",
                                       provider="BPSDM", jp=20, start_date=date(2025, 5, 5),
                                       end_date=date(2025, 5, 6), certificate_number="800/LATE/2025").id
    site.jejak.projections.catch_up()

    refused = decide_on_page(site, case_id, "rejected")

    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert 'id="stale-evidence"' in html and 'id="reassess"' in html and str(late) in html
    reassessed = post_form(site.client("committee"), f"/promotions/{case_id}/assessment", {},
                           token_from=f"/promotions/{case_id}")
    assert reassessed.status_code == 302
    assert len(site.jejak.promotions.case(COMMITTEE, case_id).assessments) == 2


def test_hr_runs_the_assessment_from_the_page(site: Site) -> None:
    case_id = site.jejak.promotions.propose(HR, site.api.ids["staff"], "rank", "2026-10", "usulan").id
    client = site.client("hr_admin")
    assert 'id="run-assessment"' in client.get(f"/promotions/{case_id}").get_data(as_text=True)

    done = post_form(client, f"/promotions/{case_id}/assessment", {}, token_from=f"/promotions/{case_id}")

    assert done.status_code == 302 and site.jejak.promotions.case(HR, case_id).assessment is not None
    assert 'id="run-assessment"' not in site.client("auditor").get(f"/promotions/{case_id}").get_data(as_text=True)


def test_the_auditor_sees_the_replay_marked_consistent_and_the_drift(site: Site) -> None:
    case_id = propose_and_assess(site)
    site.jejak.promotions.decide(COMMITTEE, case_id, "rejected", "belum memenuhi syarat", ["Sekda"])

    html = site.client("auditor").get(f"/promotions/{case_id}/audit").get_data(as_text=True)

    replay = html.split('id="drift"')[0]
    assert 'id="replay-overall" class="notice"' in replay and "✓ konsisten" in replay
    assert "✗ tidak konsisten" not in replay  # no criterion marked inconsistent
    assert replay.count('class="badge ok">✓ konsisten') == 9  # overall and each of the eight regular criteria
    assert 'id="today-under_pinned_rules"' in html and 'id="today-under_current_rules"' in html


def test_the_candidate_files_a_grievance_hr_assigns_and_the_investigator_reads_the_case_file(site: Site) -> None:
    case_id = propose_and_assess(site)
    site.jejak.promotions.decide(COMMITTEE, case_id, "rejected", "belum memenuhi syarat", ["Sekda"])
    employee = site.client("employee")
    assert "grounds" in employee.get(f"/promotions/{case_id}").get_data(as_text=True)

    blank = post_form(employee, f"/promotions/{case_id}/grievance", {"grounds": " "}, f"/promotions/{case_id}")
    assert blank.status_code == 422 and 'id="grounds-error"' in blank.get_data(as_text=True)
    filed = post_form(employee, f"/promotions/{case_id}/grievance", {"grounds": "nilai 2024 keliru"},
                      f"/promotions/{case_id}")
    assert filed.status_code == 302
    grievance_path = filed.headers["Location"].split("?")[0]
    assert 'id="grievance-status"><strong>diajukan</strong>' in employee.get(grievance_path).get_data(as_text=True)

    hr = site.client("hr_admin")
    investigator_person = str(site.jejak.person_view.principal(site.accounts["investigator"])["person_id"])
    assert investigator_person in hr.get(grievance_path).get_data(as_text=True)  # HR chooses a person
    assigned = post_form(hr, grievance_path + "/investigator", {"investigator": investigator_person},
                         grievance_path)
    assert assigned.status_code == 302

    investigator = site.client("investigator")
    assert grievance_path in investigator.get("/investigations").get_data(as_text=True)
    asks = investigator.get(grievance_path + "/case-file")
    assert 'name="reason"' in asks.get_data(as_text=True)
    case_file = read_with_reason(investigator, grievance_path + "/case-file", "pemeriksaan").get_data(as_text=True)
    assert 'id="decision-event"' in case_file and 'id="replay-overall"' in case_file
    assert 'id="rule-set-text"' in case_file and "pemeriksaan" in case_file
    assert investigator.get(f"/promotions/{case_id}/audit").status_code == 200


def test_assigning_nobody_shows_the_message_next_to_the_field(site: Site) -> None:
    case_id = propose_and_assess(site)
    site.jejak.promotions.decide(COMMITTEE, case_id, "rejected", "belum memenuhi syarat", ["Sekda"])
    grievance = site.jejak.grievances.file(as_person(site, "staff"), "promotion_decision", case_id, "keliru")
    hr = site.client("hr_admin")

    refused = post_form(hr, f"/grievances/{grievance.id}/investigator", {"investigator": ""},
                        f"/grievances/{grievance.id}")

    assert refused.status_code == 422 and 'id="investigator-error"' in refused.get_data(as_text=True)


def test_forms_without_csrf_change_nothing(site: Site) -> None:
    case_id = propose_and_assess(site)
    client = site.client("committee")
    csrf_token(client, f"/promotions/{case_id}")

    refused = client.post(f"/promotions/{case_id}/decision", data={"outcome": "rejected", "rationale": "x",
                                                                   "members_present": "Sekda"})

    assert refused.status_code == 400 and site.jejak.promotions.case(COMMITTEE, case_id).decision is None


def test_a_flagged_decision_replays_inconsistent_overall_while_each_criterion_agrees(site: Site) -> None:
    case_id = propose_and_assess(site)
    site.jejak.promotions.decide(COMMITTEE, case_id, "approved", "kebutuhan organisasi", ["Sekda"], "formasi")

    replay = site.client("auditor").get(f"/promotions/{case_id}/audit").get_data(as_text=True).split('id="drift"')[0]

    assert 'id="replay-overall" class="summary"' in replay and "✗ tidak konsisten" in replay
    assert replay.count('class="badge ok">✓ konsisten') == 8 and 'class="badge over flagged"' in replay


def test_decision_history_filters_next_to_the_field_and_pages_with_the_same_filters(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    for period in ("2026-06", "2026-10"):  # TMT months are even (Peraturan BKN 4/2023)
        site.jejak.promotions.decide(COMMITTEE, propose_and_assess(site, period), "rejected", "belum", ["Sekda"])
    auditor = site.client("auditor")
    monkeypatch.setattr("web.pages.promotions.PAGE_SIZE", 1)

    bad = auditor.get("/promotion-decisions?period=tahun-ini")
    first = auditor.get("/promotion-decisions?outcome=rejected&period=2026").get_data(as_text=True)

    assert bad.status_code == 422 and 'id="period-error"' in bad.get_data(as_text=True)
    assert first.count('<tr>') == 2  # the header and one decision
    next_link = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert "outcome=rejected" in next_link and "period=2026" in next_link
    second = auditor.get(next_link).get_data(as_text=True)
    assert second.count('<tr>') == 2 and 'rel="next"' not in second


def test_the_assigned_investigator_concludes_from_the_page_and_the_grievant_reads_the_outcome(site: Site) -> None:
    case_id = propose_and_assess(site)
    site.jejak.promotions.decide(COMMITTEE, case_id, "rejected", "belum memenuhi syarat", ["Sekda"])
    grievance = site.jejak.grievances.file(as_person(site, "staff"), "promotion_decision", case_id, "keliru")
    site.jejak.grievances.assign(HR, grievance.id, site.accounts["investigator"])
    investigator, path = site.client("investigator"), f"/grievances/{grievance.id}"
    assert 'id="conclude-h"' in investigator.get(path).get_data(as_text=True)
    assert 'id="conclude-h"' not in site.client("hr_admin").get(path).get_data(as_text=True)

    no_remedy = post_form(investigator, path + "/conclusion",
                          {"outcome": "upheld", "findings": "nilai keliru", "reasons": "data salah"}, path)
    assert no_remedy.status_code == 422 and 'id="remedy-error"' in no_remedy.get_data(as_text=True)
    done = post_form(investigator, path + "/conclusion",
                     {"outcome": "dismissed", "findings": "aturan diterapkan", "reasons": "syarat belum terpenuhi"},
                     path)

    assert done.status_code == 302
    seen = site.client("employee").get(path).get_data(as_text=True)
    assert 'id="grievance-outcome"><strong>tidak diterima</strong>' in seen and "syarat belum terpenuhi" in seen
    assert investigator.get(path).status_code == 403  # closed: out of the investigator's scope


@pytest.mark.parametrize(("path", "field"), [("/promotions?status=hilang", "status"),
                                             ("/promotions?flagged=mungkin", "flagged"),
                                             ("/promotion-decisions?outcome=lulus", "outcome"),
                                             ("/promotion-decisions?unit=" + "X" * 21, "unit")])
def test_list_filters_are_checked_by_the_api_routes_own_rules(site: Site, path: str, field: str) -> None:
    page = site.client("auditor").get(path)
    api = site.api.call("GET", "/api" + path.replace("/promotions", "/promotion-cases"), role="auditor")

    assert page.status_code == 422 and f'id="{field}-error"' in page.get_data(as_text=True)
    assert api.status_code == 422 and field in api.get_json()["errors"]


def test_the_case_page_shows_the_promotion_kind_and_where_the_case_stands(site: Site) -> None:
    case_id = propose_and_assess(site)
    svc = site.jejak.promotions
    svc.decide(Actor(id="c", role="committee", name="Tim"), case_id, "approved", "kebutuhan organisasi", ["Sekda"],
               "formasi mendesak")
    svc.record_pertek(HR, case_id, "PT-77/KP/BKN/2026", date.today())
    svc.record_sk(HR, case_id, "823.3/Kep.77-BKPSDM/2026", date.today(), "Bupati Bandung")

    html = site.client("hr_admin").get(f"/promotions/{case_id}").get_data(as_text=True)

    stage = html.split('id="case-stage">')[1].split("</dd>")[0]
    assert "<strong>berlaku</strong>" in stage and "PT-77/KP/BKN/2026" in stage and "Bupati Bandung" in stage
    assert 'id="case-rank-kind">reguler<' in html


def test_the_committee_ticks_members_present_by_person_and_their_names_are_shown(site: Site) -> None:
    case_id = propose_and_assess(site)
    member = site.jejak.persons.register(HR, "Drs. Bambang Sutrisno", ["committee"])
    outsider = site.jejak.persons.register(HR, "Rudi Hartono", ["auditor"])
    site.jejak.projections.catch_up()
    page = site.client("committee").get(f"/promotions/{case_id}").get_data(as_text=True)
    assert f'name="member_ids" value="{member.id}"' in page and str(outsider.id) not in page

    nobody = decide_on_page(site, case_id, "rejected", members_present="")
    wrong = decide_on_page(site, case_id, "rejected", members_present="", member_ids=str(outsider.id))
    done = decide_on_page(site, case_id, "rejected", members_present="Kepala BKPSDM", member_ids=str(member.id))

    assert nobody.status_code == 422 and 'id="members_present-error"' in nobody.get_data(as_text=True)
    assert wrong.status_code == 422
    assert "Rudi Hartono bukan anggota tim penilai yang aktif." in wrong.get_data(as_text=True)
    assert done.status_code == 302, done.get_data(as_text=True)[-800:]
    decision = site.jejak.promotions.case(COMMITTEE, case_id).decision
    assert decision.members_present == ["Kepala BKPSDM", "Drs. Bambang Sutrisno"]
    assert decision.member_ids == [str(member.id)]
    shown = site.client("auditor").get(f"/promotions/{case_id}").get_data(as_text=True)
    assert "Kepala BKPSDM; Drs. Bambang Sutrisno" in shown

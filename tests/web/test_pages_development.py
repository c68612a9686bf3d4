"""Development pages: "where I stand" for the employee in Indonesian (the default) and English."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from domain.development import DevelopmentNeed, ProposedNeed, SourceRef
from tests.web.pages import HR, Site, as_person, build_site, english_on_page, post_form


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path)


def test_the_employee_is_taken_to_her_own_standing_with_the_next_promotion(site: Site) -> None:
    client = site.client("employee")
    response = client.get("/standing")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/employees/{site.api.ids['staff']}/standing")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Posisi saya" in page and "Kenaikan pangkat berikutnya" in page
    assert "Where I stand" not in page and "Next promotion" not in page
    assert "Aturan yang berlaku tidak menampilkan kotak talenta kepada pegawai." in page


def test_the_supervisor_reads_her_reports_standing_in_english(site: Site) -> None:
    client = site.client("supervisor")
    post_form(client, "/language", {"lang": "en", "next": "/"}, token_from="/")
    page = client.get(f"/employees/{site.api.ids['staff']}/standing").get_data(as_text=True)
    assert "Next promotion" in page and "Criteria and the values used" in page


def test_the_supervisor_confirms_a_proposed_need_on_the_standing_page_and_a_blank_reason_is_refused(
        site: Site) -> None:
    staff = site.api.ids["staff"]
    need = DevelopmentNeed.propose(staff, SourceRef("appraisal", uuid4(), 5),
                                   ProposedNeed("work_results", None, "hasil kerja di bawah ekspektasi", {}), 1)
    site.jejak.ledger.record(HR, need)
    client = site.client("supervisor")
    page = f"/employees/{staff}/standing"
    action = f"/employees/{staff}/needs/{need.id}/decision"
    assert action in client.get(page).get_data(as_text=True)
    refused = post_form(client, action, {"reason": " ", "decision": "confirm"}, token_from=page)
    assert refused.status_code == 422 and site.jejak.development.need(need.id).status == "proposed"
    done = post_form(client, action, {"reason": "perlu pelatihan manajemen kinerja", "decision": "confirm"},
                     token_from=page)
    assert done.status_code == 302
    assert site.jejak.development.need(need.id).status == "confirmed"
    after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "perlu pelatihan manajemen kinerja" in after and action not in after


def test_the_employee_sees_her_needs_without_the_decision_form(site: Site) -> None:
    staff = site.api.ids["staff"]
    site.jejak.development.judge(HR, staff, "value", "Kolaboratif", "jarang berbagi informasi dengan tim")
    page = site.client("employee").get(f"/employees/{staff}/standing").get_data(as_text=True)
    assert "Kolaboratif" in page and "jarang berbagi informasi dengan tim" in page
    assert "/decision" not in page


def test_the_employee_and_then_the_supervisor_sign_the_plan_on_the_standing_page(site: Site) -> None:
    staff = site.api.ids["staff"]
    need = site.jejak.development.judge(HR, staff, "value", "Kolaboratif", "jarang berbagi informasi").id
    plan = site.jejak.plans.draft(HR, staff, 2026).id
    site.jejak.plans.add_goal(HR, plan, "Berbagi informasi tiap minggu", [need], [{
        "kind": "coaching", "description": "Pembinaan oleh atasan", "jp_planned": 4,
        "starts_on": date(2026, 2, 2), "ends_on": date(2026, 6, 30)}])
    page = f"/employees/{staff}/standing"
    action = f"/employees/{staff}/plans/{plan}/signature"
    employee, supervisor = site.client("employee"), site.client("supervisor")
    shown = employee.get(page).get_data(as_text=True)
    assert "Berbagi informasi tiap minggu" in shown and action in shown
    assert post_form(employee, action, {}, token_from=page).status_code == 302
    assert action not in employee.get(page).get_data(as_text=True)  # signed: no second signature
    assert post_form(supervisor, action, {}, token_from=page).status_code == 302
    assert site.jejak.plans.plan(plan).status == "agreed"
    assert "disepakati" in supervisor.get(page).get_data(as_text=True)


def test_a_dialogue_recorded_by_the_employee_gets_the_supervisors_account_and_its_action_is_done(
        site: Site) -> None:
    staff = site.api.ids["staff"]
    page = f"/employees/{staff}/standing"
    employee, supervisor = site.client("employee"), site.client("supervisor")
    refused = post_form(employee, f"/employees/{staff}/dialogues", {"held_on": "kemarin", "topics": "Capaian",
                                                                    "account": "baik"}, token_from=page)
    assert refused.status_code == 422
    done = post_form(employee, f"/employees/{staff}/dialogues", {
        "held_on": date.today().isoformat(), "topics": "Capaian triwulan\nBeban kerja",
        "employee_actions": "Susun ulang jadwal usulan", "supervisor_actions": "", "follow_up_on": "",
        "account": "Saya minta bantuan staf pendukung"}, token_from=page)
    assert done.status_code == 302
    [row] = site.jejak.dialogue_view.dialogues(staff, 10)
    shown = supervisor.get(page).get_data(as_text=True)
    assert "Saya minta bantuan staf pendukung" in shown and f"/dialogues/{row['id']}/account" in shown
    assert post_form(supervisor, f"/employees/{staff}/dialogues/{row['id']}/account",
                     {"account": "Disepakati, staf mulai Juli"}, token_from=page).status_code == 302
    action = row["actions"][0]["id"]
    assert post_form(supervisor, f"/employees/{staff}/dialogues/{row['id']}/actions/{action}/completion",
                     {"note": "jadwal baru dipakai"}, token_from=page).status_code == 302
    after = employee.get(page).get_data(as_text=True)
    assert "Disepakati, staf mulai Juli" in after and "jadwal baru dipakai" in after
    assert site.jejak.dialogue_view.open_actions(staff) == []


def test_coaching_notes_of_her_appraisal_join_her_dialogue_history_read_only(site: Site) -> None:
    staff = site.api.ids["staff"]
    aid = site.jejak.appraisals.open(HR, staff, "2026").id
    site.jejak.dialogues.record(as_person(site, "staff"), staff, date.today() - timedelta(days=1), ["Capaian"], [],
                                None, "target dibahas")
    site.jejak.appraisals.record_note(as_person(site, "supervisor"), aid, "Laporan mingguan sudah lebih rapi")
    stored = len(site.jejak.ledger.history(aid))

    page = site.client("employee").get(f"/employees/{staff}/standing").get_data(as_text=True)

    history = page.split('id="dialogues-h"', 1)[1]
    assert "Catatan bimbingan" in history and "Laporan mingguan sudah lebih rapi" in history
    assert history.index("Laporan mingguan") < history.index("target dibahas")  # latest first
    assert f'href="/appraisals/{aid}"' in history and "SKP 2026" in history
    note = history.split("Laporan mingguan", 1)[1].split("</section>", 1)[0]
    assert "<form" not in note  # read-only: it stays an entry of the appraisal
    assert english_on_page(page) == []
    [shown] = site.api.call("GET", f"/api/employees/{staff}/standing", "employee").get_json()["coaching_notes"]
    assert shown["text"] == "Laporan mingguan sudah lebih rapi" and shown["period"] == "2026"
    assert [d["topics"] for d in site.jejak.dialogue_view.dialogues(staff, 10)] == [["Capaian"]]
    assert len(site.jejak.ledger.history(aid)) == stored  # showing them stores nothing


def test_the_employee_proposes_a_target_the_assessor_edits_it_and_she_acknowledges_his_own(site: Site) -> None:
    staff = site.api.ids["staff"]
    aid = site.jejak.appraisals.open(HR, staff, "2026").id
    page = f"/appraisals/{aid}"
    employee, supervisor = site.client("employee"), site.client("supervisor")
    assert post_form(employee, f"{page}/target-proposals", {"target": "Menyusun 12 kajian", "indicator": " "},
                     token_from=page).status_code == 422
    assert post_form(employee, f"{page}/target-proposals", {
        "target": "Menyusun 12 kajian", "indicator": "kajian selesai per bulan"}, token_from=page).status_code == 302
    [proposal] = site.jejak.target_proposals.proposals(HR, aid)["proposals"]
    decision = f"{page}/target-proposals/{proposal['id']}/decision"
    assert decision in supervisor.get(page).get_data(as_text=True)
    assert post_form(supervisor, decision, {"outcome": "edited", "target": "Menyusun 10 kajian",
                                            "indicator": "kajian selesai per bulan",
                                            "reason": "dua kajian dialihkan"}, token_from=page).status_code == 302
    added = site.jejak.appraisals.agree_target(as_person(site, "supervisor"), aid, "Melayani 100 usulan", "selesai")
    assert post_form(employee, f"{page}/targets/{added}/acknowledgement", {}, token_from=page).status_code == 302
    shown = employee.get(page).get_data(as_text=True)
    assert "Menyusun 10 kajian" in shown and "dua kajian dialihkan" in shown and "diketahui" in shown


def test_the_employee_sends_her_supervisor_anonymous_feedback_from_her_standing(site: Site) -> None:
    staff, supervisor = site.api.ids["staff"], site.api.ids["supervisor"]
    client = site.client("employee")
    page = f"/employees/{staff}/standing"
    assert "/upward-feedback" in client.get(page).get_data(as_text=True)
    done = post_form(client, f"{page.removesuffix('/standing')}/upward-feedback",
                     {"comment": "arahan rapat lebih ringkas", "anonymous": "1"}, token_from=page)
    assert done.status_code == 302
    today = date.today()
    period = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    report = site.jejak.upward_feedback.report(HR, supervisor, period)
    assert report["entries"] == 1 and report["named"] == [] and report["anonymous"]["shown"] is False


def test_hr_grants_an_award_a_sangat_baik_proposed_from_the_standing_page(site: Site) -> None:
    staff = site.api.ids["staff"]
    service = site.jejak.appraisals
    aid = service.open(HR, staff, "2025").id
    supervisor = as_person(site, "supervisor")
    service.agree_target(supervisor, aid, "Menyusun 12 kajian", "kajian selesai per bulan")
    service.assess(supervisor, aid, "above", "above")
    service.finalise(supervisor, aid)
    [proposal] = site.jejak.award_proposals.proposals(staff, None, 10)
    page = f"/employees/{staff}/standing"
    hr = site.client("hr_admin")
    action = f"/employees/{staff}/award-proposals/{proposal['id']}/decision"
    assert action in hr.get(page).get_data(as_text=True)
    assert action not in site.client("employee").get(page).get_data(as_text=True)
    done = post_form(hr, action, {"decision": "grant", "title": "Kinerja Sangat Baik 2025",
                                  "reason": "predikat Sangat Baik 2025"}, token_from=page)
    assert done.status_code == 302
    [row] = site.jejak.award_proposals.proposals(staff, None, 10)
    assert row["status"] == "granted" and site.jejak.recognition.award(row["award_id"]).title == "Kinerja Sangat Baik 2025"

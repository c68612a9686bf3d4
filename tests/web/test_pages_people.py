"""Employee and supervisor pages: the appraisal with its predicate and the objection form within the window, the
career timeline (an auditor states a reason, which is recorded), and the supervisor's team view."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from tests.web.pages import (
    HR,
    Site,
    as_person,
    build_site,
    decided_case,
    open_round_with_reviewers,
    post_form,
    read_with_reason,
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path)


def final_appraisal(site: Site) -> UUID:
    """The staff member's 2025 appraisal, assessed by her supervisor (who reports to the head of office, who would
    hear an objection) and finalised today."""
    registry = site.jejak.registry
    head = registry.register_employee(HR, nip="196805121990031001", name="Kepala Badan", unit="BKPSDM",
                                      position="Kepala Badan", rank="IV/c", rank_since=date(2018, 4, 1)).id
    registry.change_supervisor(HR, site.api.ids["supervisor"], head, date(2024, 1, 1), "struktur")
    service = site.jejak.appraisals
    aid: UUID = service.open(HR, site.api.ids["staff"], "2025").id
    supervisor = as_person(site, "supervisor")
    service.agree_target(supervisor, aid, "Menyelesaikan 40 usulan mutasi", "usulan selesai per triwulan")
    service.assess(supervisor, aid, "as_expected", "above")
    service.finalise(supervisor, aid)
    return aid


def test_employee_sees_the_predicate_and_may_object_within_the_window(site: Site) -> None:
    aid = final_appraisal(site)
    client = site.client("employee")

    page = client.get(f"/appraisals/{aid}").get_data(as_text=True)

    assert "Baik" in page
    assert 'action="/appraisals/' in page and "/objection" in page
    response = post_form(client, f"/appraisals/{aid}/objection", {"reasons": "Tugas tambahan tidak dinilai"},
                         token_from=f"/appraisals/{aid}")
    assert response.status_code == 302
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tugas tambahan tidak dinilai" in after
    assert 'name="reasons"' not in after  # one objection only
    assert site.jejak.appraisals.appraisal(aid).objection is not None


def test_objection_without_reasons_is_refused_next_to_the_field(site: Site) -> None:
    aid = final_appraisal(site)
    client = site.client("employee")
    head = site.jejak.projections.head()

    response = post_form(client, f"/appraisals/{aid}/objection", {"reasons": "  "}, token_from=f"/appraisals/{aid}")

    assert response.status_code == 422
    assert 'id="reasons-error" role="alert"' in response.get_data(as_text=True)
    assert site.jejak.projections.head() == head


def test_supervisor_sees_the_appraisal_without_the_objection_form(site: Site) -> None:
    aid = final_appraisal(site)

    page = site.client("supervisor").get(f"/appraisals/{aid}").get_data(as_text=True)

    assert "Dewi Lestari" in page
    assert 'name="reasons"' not in page


def test_employee_timeline_lists_the_registration(site: Site) -> None:
    response = site.client("employee").get("/timeline", follow_redirects=True)

    assert response.status_code == 200
    assert "Dewi Lestari" in response.get_data(as_text=True)


def test_auditor_states_a_reason_in_a_post_form_the_read_is_recorded_once_and_a_reload_records_nothing(
        site: Site) -> None:
    staff = site.api.ids["staff"]
    client = site.client("auditor")
    head = site.jejak.projections.head()

    asked = client.get(f"/employees/{staff}/timeline?reason=lewat+alamat")  # a reason in the URL is not taken
    form = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'method="post"' in form and 'name="reason"' in form
    assert 'name="csrf_token"' in form
    assert site.jejak.projections.head() == head

    posted = post_form(client, f"/employees/{staff}/timeline", {"reason": "audit reguler 2026"})
    assert posted.status_code == 303
    assert posted.headers["Location"] == f"/employees/{staff}/timeline"  # no reason in the address
    assert site.jejak.projections.head() == head + 1
    for _reload in range(2):
        read = client.get(posted.headers["Location"])
        assert read.status_code == 200 and "Dewi Lestari" in read.get_data(as_text=True)
    assert site.jejak.projections.head() == head + 1
    reads = site.api.call("GET", "/api/audit/events?topic=SensitiveRead.Recorded", role="auditor").get_json()
    assert [e["reason"] for e in reads["items"]] == ["audit reguler 2026"]


def test_the_reason_form_refuses_a_post_without_its_csrf_token_or_without_a_reason(site: Site) -> None:
    staff = site.api.ids["staff"]
    client = site.client("auditor")
    head = site.jejak.projections.head()

    forged = client.post(f"/employees/{staff}/timeline", data={"reason": "audit"})
    blank = post_form(client, f"/employees/{staff}/timeline", {"reason": " "})

    assert forged.status_code == 400
    assert blank.status_code == 422 and 'id="reason-error" role="alert"' in blank.get_data(as_text=True)
    assert site.jejak.projections.head() == head


def test_employee_may_not_read_a_colleagues_timeline(site: Site) -> None:
    assert site.client("employee").get(f"/employees/{site.api.ids['other']}/timeline").status_code == 403


def test_team_view_lists_direct_reports_with_open_rounds_and_appraisals(site: Site) -> None:
    open_round_with_reviewers(site, "2026-Q3")
    final_appraisal(site)

    page = site.client("supervisor").get("/team").get_data(as_text=True)

    assert "Dewi Lestari" in page
    assert "2026-Q3" in page
    assert "2025" in page


def test_team_view_is_for_supervisors(site: Site) -> None:
    assert site.client("employee").get("/team").status_code == 403


def test_the_appraised_employee_files_a_grievance_about_the_final_result_from_the_appraisal(site: Site) -> None:
    aid = final_appraisal(site)
    client = site.client("employee")
    assert 'action="/appraisals/' + str(aid) + '/grievance"' in client.get(f"/appraisals/{aid}").get_data(as_text=True)
    assert 'name="grounds"' not in site.client("supervisor").get(f"/appraisals/{aid}").get_data(as_text=True)

    blank = post_form(client, f"/appraisals/{aid}/grievance", {"grounds": ""}, token_from=f"/appraisals/{aid}")
    filed = post_form(client, f"/appraisals/{aid}/grievance", {"grounds": "Predikat tidak sesuai capaian"},
                      token_from=f"/appraisals/{aid}")

    assert blank.status_code == 422 and 'id="grounds-error" role="alert"' in blank.get_data(as_text=True)
    assert 'id="reasons-error"' not in blank.get_data(as_text=True)  # the objection form stays untouched
    assert filed.status_code == 302 and filed.headers["Location"].startswith("/grievances/")
    after = client.get(f"/appraisals/{aid}").get_data(as_text=True)
    assert 'name="grounds"' not in after and filed.headers["Location"].split("?")[0] in after


def rich_career(site: Site) -> None:
    """The staff member's record gets an appraisal, a verified training, a mentor and a decided promotion case."""
    final_appraisal(site)
    staff, supervisor = site.api.ids["staff"], site.api.ids["supervisor"]
    training = site.jejak.trainings.record(HR, employee_id=staff, course="Pelatihan Analis Kebijakan",
                                           provider="LAN", jp=24, start_date=date(2025, 5, 5),
                                           end_date=date(2025, 5, 9), certificate_number="LAN-2025-0042")
    site.jejak.trainings.decide(HR, training.id, "verified", "sertifikat asli diperiksa")
    site.jejak.mentoring.assign(HR, supervisor, staff, ["menyusun kajian"], date(2025, 6, 2))
    decided_case(site)


def test_the_timeline_is_a_list_of_readable_cards_in_indonesian(site: Site) -> None:
    rich_career(site)

    page = site.client("employee").get(f"/employees/{site.api.ids['staff']}/timeline").get_data(as_text=True)

    assert 'class="card kind-' in page
    for words in ("Mulai bertugas", "Pelatihan selesai dan diverifikasi", "Dibimbing oleh Siti Rahmawati",
                  "<dt>Atasan</dt><dd>Siti Rahmawati</dd>", "9 Mei 2025", "Kenaikan III/a → III/b (Okt 2026): ditolak"):
        assert words in page, words
    for english in ("Registered", "Training verified", "Mentored by", "rank_since", "supervisor_id",
                    "as_expected", "/api/"):
        assert english not in page, english
    assert str(site.api.ids["supervisor"]) not in page  # people by name, never by id
    assert 'href="/appraisals/' in page and 'href="/promotions/' in page
    assert "<details" not in page  # the technical detail is for auditors


def test_the_timeline_speaks_english_when_asked(site: Site) -> None:
    rich_career(site)
    client = site.client("employee")
    with client.session_transaction() as session:
        session["lang"] = "en"

    page = client.get(f"/employees/{site.api.ids['staff']}/timeline").get_data(as_text=True)

    assert "Training completed and verified: Pelatihan Analis Kebijakan (24 JP)" in page
    assert "Mentored by Siti Rahmawati" in page and "9 May 2025" in page


def test_an_auditor_finds_the_technical_detail_folded_away_with_a_link_to_the_raw_event(site: Site) -> None:
    rich_career(site)
    staff = site.api.ids["staff"]

    page = read_with_reason(site.client("auditor"), f"/employees/{staff}/timeline", "audit").get_data(as_text=True)

    assert '<details class="technical">' in page
    assert "domain.employee:Employee.Registered" in page
    assert f'href="/audit/events?aggregate_id={staff}' in page


def test_a_long_timeline_shows_a_page_at_a_time_with_a_link_to_the_next(site: Site) -> None:
    staff = site.api.ids["staff"]
    for i in range(55):  # with the registration: more entries than one page holds
        site.jejak.registry.change_position(HR, staff, f"Analis tingkat {i}", date.today() - timedelta(days=60 - i),
                                            "penataan jabatan")
    site.jejak.projections.catch_up()
    client = site.client("employee")

    first = client.get(f"/employees/{staff}/timeline")
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and page.count('class="card kind-') == 50
    assert "56" in page and 'rel="next"' in page
    next_url = page.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    rest = client.get(next_url).get_data(as_text=True)
    assert rest.count('class="card kind-') == 6 and 'rel="next"' not in rest

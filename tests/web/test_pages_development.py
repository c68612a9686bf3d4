"""Development pages: "where I stand" for the employee in Indonesian (the default) and English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from domain.development import DevelopmentNeed, ProposedNeed, SourceRef
from tests.web.pages import HR, Site, build_site, post_form


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

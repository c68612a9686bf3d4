"""Development pages: "where I stand" for the employee in Indonesian (the default) and English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.pages import Site, build_site, post_form


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

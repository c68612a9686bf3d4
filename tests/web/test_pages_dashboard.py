"""The unit dashboard opens on the latest year with data (not an empty current year), and a year's view includes
its quarterly 360 rounds, on the page and in the API's unit report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from tests.web.pages import HR, Site, build_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """BKPSDM's only data: two quarterly rounds of 2024 and the staff member's 2024 appraisal."""
    for built in build_site(tmp_path_factory.mktemp("dashboard")):
        ids, fb = built.api.ids, built.jejak.feedback
        for quarter in ("2024-Q2", "2024-Q3"):
            fb.open_round(HR, ids["staff"], quarter, date.today())
        built.jejak.appraisals.open(HR, ids["staff"], "2024", assessor_id=ids["supervisor"])
        yield built


def test_the_dashboard_opens_on_the_latest_year_with_data(site: Site) -> None:
    body = site.client("hr_admin").get("/hr/units/BKPSDM").get_data(as_text=True)

    assert re.search(r'name="period" type="text" value="2024"', body)
    assert "2024-Q2" in body and "2024-Q3" in body


def test_a_unit_without_data_opens_on_this_year(site: Site) -> None:
    body = site.client("hr_admin").get("/hr/units/DINKES").get_data(as_text=True)

    assert re.search(rf'name="period" type="text" value="{site.jejak.feedback.today().year}"', body)


def test_a_years_unit_report_includes_its_quarterly_rounds(site: Site) -> None:
    year = site.api.call("GET", "/api/units/BKPSDM/feedback-report?period=2024").get_json()
    quarter = site.api.call("GET", "/api/units/BKPSDM/feedback-report?period=2024-Q3").get_json()

    assert sorted(r["period"] for r in year["rounds"]) == ["2024-Q2", "2024-Q3"]
    assert [r["period"] for r in quarter["rounds"]] == ["2024-Q3"]

"""CSV and XLSX downloads of HR's tables: typed cells, headers in the visitor's language, the JSON twin's access."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from application.actor import Actor
from tests.web.conftest import STAFF_NIP, Api
from tests.web.pages import Site, build_site

HR = Actor(id="export-hr", role="hr_admin", name="Admin BKPSDM")
COMMITTEE = Actor(id="export-committee", role="committee", name="Tim Penilai Kinerja")
TWINS = {
    "exports.export_directory": "employees.list_employees",
    "exports.export_rates": "feedback.unit_report",
    "exports.export_distribution": "appraisals.predicate_distribution",
    "exports.export_shortfall": "trainings.training_shortfall",
    "exports.export_grid": "talent.talent_grid",
    "exports.export_history": "promotions.decision_history",
    "exports.export_grievances": "grievances.list_grievances",
}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path)


def sheet(data: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))  # type: ignore[union-attr]


def table(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def decided_case(api: Api) -> None:
    """A rejected promotion case of the staff member, and her grievance about it."""
    promotions = api.jejak.promotions
    case_id = promotions.propose(HR, api.ids["staff"], "rank", "2026-10", "usulan kenaikan pangkat").id
    promotions.assess(HR, case_id)
    promotions.decide(COMMITTEE, case_id, "rejected", "belum memenuhi syarat", ["Ketua", "Sekretaris"])
    staff = Actor(id="dewi", role="employee", name="Dewi Lestari", employee_id=api.ids["staff"])
    api.jejak.grievances.file(staff, "promotion_decision", case_id, "nilai 2024 belum diperhitungkan")


def test_hr_downloads_the_directory_as_xlsx_with_dates_as_dates_and_indonesian_headers(api: Api) -> None:
    response = api.call("GET", "/api/exports/employees?format=xlsx&unit=BKPSDM")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="directory.xlsx"'
    rows = sheet(response.data)
    header = rows[0]
    assert header[:3] == ("NIP", "Nama", "Jenis kelamin")
    by_nip = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_nip) == {STAFF_NIP, "197805122005011002"}
    dewi = by_nip[STAFF_NIP]
    assert dewi["Pangkat sejak (TMT)"] == datetime(2015, 3, 1)
    assert dewi["Tanggal lahir"] == datetime(1990, 1, 1)
    assert dewi["Atasan"] == "Siti Rahmawati"


def test_an_english_client_gets_english_headers_in_csv(api: Api) -> None:
    response = api.call("GET", "/api/exports/employees?format=csv", **{"Accept-Language": "en-GB,en;q=0.9"})

    rows = table(response.data)
    assert rows[0][:3] == ["NIP", "Name", "Sex"]
    assert {r[1] for r in rows[1:]} == {"Siti Rahmawati", "Dewi Lestari", "Andi Pratama"}
    assert "2015-03-01" in next(r for r in rows if r[1] == "Dewi Lestari")


def test_an_employee_export_hides_colleagues_personal_fields_as_the_json_twin_does(api: Api) -> None:
    rows = table(api.call("GET", "/api/exports/employees", role="employee").data)

    nips = {r[1]: r[0] for r in rows[1:]}
    assert nips == {"Dewi Lestari": STAFF_NIP, "Siti Rahmawati": "", "Andi Pratama": ""}


def test_decision_history_and_grievances_carry_numbers_booleans_and_dates(api: Api) -> None:
    decided_case(api)

    history = sheet(api.call("GET", "/api/exports/promotion-decisions?format=xlsx", role="committee").data)
    grievances = sheet(api.call("GET", "/api/exports/grievances?format=xlsx").data)

    decision = dict(zip(history[0], history[1], strict=True))
    assert decision["Calon"] == "Dewi Lestari" and decision["Hasil"] == "ditolak"
    assert decision["Versi aturan"] == 1 and decision["Memenuhi syarat"] is False
    assert decision["Anggota yang hadir"] == "Ketua, Sekretaris"
    assert isinstance(decision["Diputus pada"], datetime) and isinstance(decision["Posisi di ledger"], int)
    grievance = dict(zip(grievances[0], grievances[1], strict=True))
    assert grievance["Pengaju"] == "Dewi Lestari" and grievance["Diajukan pada"] == datetime.combine(
        date.today(), datetime.min.time())


def test_unit_tables_export_the_rows_of_their_dashboards(api: Api) -> None:
    closes = date.today() + timedelta(days=10)
    api.jejak.feedback.open_round(HR, api.ids["staff"], "2026", closes)
    distribution = table(api.call("GET", "/api/exports/units/BKPSDM/predicate-distribution?period=2026").data)
    shortfall = sheet(api.call("GET", "/api/exports/units/BKPSDM/training-shortfall?year=2025&format=xlsx").data)
    grid = table(api.call("GET", "/api/exports/units/BKPSDM/talent-grid").data)
    rates = table(api.call("GET", "/api/exports/units/BKPSDM/feedback-report?period=2026").data)

    assert distribution[0] == ["Predikat", "Jumlah", "Persen"] and len(distribution) == 6
    assert {r[0] for r in shortfall[1:]} == {"Siti Rahmawati", "Dewi Lestari"}
    assert all(isinstance(r[4], int) and r[7] == r[6] - r[4] for r in shortfall[1:])
    assert {r[1] for r in grid[1:]} == {"Siti Rahmawati", "Dewi Lestari"} and all(r[0] == "" for r in grid[1:])
    assert rates[0][:2] == ["Yang dinilai", "Periode"]
    assert rates[1] == ["Dewi Lestari", "2026", "dibuka", closes.isoformat(), "0", "0", "0", ""]


def test_a_bad_filter_is_refused_as_by_the_json_twin(api: Api) -> None:
    response = api.call("GET", "/api/exports/units/BKPSDM/predicate-distribution?period=kuartal&format=xlsx")
    unknown = api.call("GET", "/api/exports/units/NOPE/talent-grid")
    wrong_format = api.call("GET", "/api/exports/grievances?format=pdf")

    assert (response.status_code, unknown.status_code, wrong_format.status_code) == (422, 404, 422)
    assert "format" in wrong_format.get_json()["errors"]


def test_every_export_admits_exactly_the_roles_of_its_json_twin(api: Api) -> None:
    views = api.app.view_functions
    for export, twin in TWINS.items():
        assert views[export]._jejak_roles == views[twin]._jejak_roles, export  # type: ignore[attr-defined]
    assert {e for e in views if e.startswith("exports.")} == set(TWINS)


def test_hr_pages_offer_downloads_in_the_visitors_language(site: Site) -> None:
    client = site.client("hr_admin")
    page = client.get("/hr/units/BKPSDM?period=2026").get_data(as_text=True)

    assert "/exports/units/BKPSDM/talent-grid?format=xlsx" in page
    assert "/exports/units/BKPSDM/predicate-distribution?format=csv&amp;period=2026" in page
    with client.session_transaction() as session:
        session["lang"] = "en"
    english = client.get("/exports/units/BKPSDM/training-shortfall?format=csv&year=2025")
    assert english.status_code == 200
    assert table(english.data)[0][:3] == ["Name", "Position held", "Rank"]


def test_a_page_download_is_refused_to_roles_the_json_twin_refuses(site: Site) -> None:
    assert site.client("employee").get("/exports/units/BKPSDM/talent-grid").status_code == 403
    assert site.client("auditor").get("/exports/promotion-decisions?format=xlsx").status_code == 200
    assert site.client(None).get("/exports/grievances").status_code == 302



def test_the_unit_development_report_downloads_as_xlsx_with_one_row_per_person(api: Api) -> None:
    staff = api.ids["staff"]
    api.jejak.development.judge(HR, staff, "value", "Kolaboratif", "jarang berbagi informasi")
    api.jejak.plans.draft(HR, staff, 2026)
    rows = sheet(api.call("GET", "/api/exports/units/BKPSDM/development?year=2026&format=xlsx").data)
    assert rows[0][:3] == ("Nama", "Jabatan", "Pangkat")
    mine = next(r for r in rows[1:] if r[4] == 1)
    assert mine[3:] == (2026, 1, "konsep", 0, 0)

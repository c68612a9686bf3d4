"""Downloads in a real browser (Debian's Chromium): the committee saves a decision's minutes as PDF from the case
page, HR saves a unit's table as XLSX from the dashboard; the files open with pypdf and openpyxl."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.e2e.test_pages_browser import Served, browser, need_browser, page, served, sign_in  # noqa: F401

__all__ = ["browser", "need_browser", "page", "served"]


def saved(page: Any, link: Any) -> bytes:
    """Click a download link and return the bytes the browser saved."""
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes()


def test_the_committee_downloads_a_decisions_minutes_as_pdf(served: Served, page: Any) -> None:
    sign_in(page, served.base, "tim")
    page.goto(f"{served.base}/promotions/{served.decided_case}")

    data = saved(page, page.get_by_role("link", name="Berita acara (PDF)"))

    assert data.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Andi Pratama" in text and "Sekretaris Daerah" in text and "Posisi ledger" in text


def test_hr_downloads_a_dashboard_table_as_xlsx(served: Served, page: Any) -> None:
    sign_in(page, served.base, "admin")
    page.goto(f"{served.base}/hr/units/BKPSDM?period=2026")

    data = saved(page, page.locator("a[href*='/exports/units/BKPSDM/talent-grid'][href*='xlsx']"))

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Kotak", "Nama", "Jabatan")
    assert {r[1] for r in rows[1:]} == {"Siti Rahmawati", "Dewi Lestari"}

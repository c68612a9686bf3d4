"""The office pages in a real browser (Debian's Chromium): a supervisor's home page counts what waits for her and
she approves the proposed reviewers from it at once; HR finds a person with the picker (search by name, filter by
unit) instead of scrolling the list. No script error and no Content-Security-Policy violation on the way, and the
pages fit a phone's width. PDF and XLSX downloads: tests/e2e/test_downloads_browser.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from werkzeug.serving import make_server

from application.actor import Actor, system_actor
from tests.conftest import _make
from tests.e2e.test_pages_browser import (  # noqa: F401 - fixtures
    browser,
    expect,
    fits_the_screen,
    need_browser,
    page,
    shot,
    sign_in,
)
from tests.web.conftest import seeded_api
from tests.web.pages import FAST_HASH, PASSWORD
from web.pages import pickers

__all__ = ["browser", "need_browser", "page"]
HR = Actor(id="e2e-office-hr", role="hr_admin", name="Admin BKPSDM")


@dataclass
class Office:
    """The app on a port, its system, the ids of the seed and Dewi's round."""

    base: str
    system: Any
    ids: dict[str, UUID]
    round_id: UUID


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    """Dewi's round with her three proposed peers waiting for Siti; accounts for Siti and HR."""
    for system in _make("sqlite", tmp_path_factory.mktemp("office-browser"), **FAST_HASH):
        api = seeded_api(system)
        ids, actor = dict(api.ids), system_actor("e2e-office")
        for nip, name in (("199105102016031001", "Budi Santoso"), ("199508202019031003", "Eko Prasetyo")):
            ids[name] = system.registry.register_employee(actor, nip=nip, name=name, unit="BKPSDM",
                                                          position="Analis SDM", rank="III/a",
                                                          rank_since=date(2020, 4, 1)).id
        system.accounts.create(actor, "admin", PASSWORD, "hr_admin", "Admin BKPSDM", None)
        system.accounts.create(actor, "siti", PASSWORD, "employee", "Siti Rahmawati", ids["supervisor"])
        rid = system.feedback.open_round(HR, ids["staff"], "2026-Q4", date.today() + timedelta(days=3)).id
        dewi = Actor(id="e2e-dewi", role="employee", name="Dewi", employee_id=ids["staff"])
        system.feedback.nominate(dewi, rid, [(ids[p], "peer") for p in ("other", "Budi Santoso", "Eko Prasetyo")])
        server = make_server("127.0.0.1", 0, api.app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Office(f"http://127.0.0.1:{server.server_port}", system, ids, rid)
        finally:
            server.shutdown()
            thread.join(timeout=10)


def watch_errors(page: Any) -> list[str]:
    """Collect script errors and console errors (a CSP violation is one) as the page runs."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def test_the_supervisor_approves_what_waits_for_her_from_the_home_page(office: Office, page: Any) -> None:
    errors = watch_errors(page)
    sign_in(page, office.base, "siti")
    card = page.locator(".inbox li[data-kind='nominations_to_approve']")
    expect(card).to_contain_text("3")
    expect(page.locator(".inbox li[data-kind='rounds_closing']")).to_contain_text("1")
    shot(page, "20-supervisor-inbox")
    assert fits_the_screen(page) == []

    card.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Usulan penilai untuk disetujui")).to_be_visible()
    boxes = page.locator("input[name='chosen']")
    expect(boxes).to_have_count(3)
    for i in range(3):
        boxes.nth(i).check()
    page.get_by_role("button", name="Setujui penilai yang dicentang").click()

    expect(page.get_by_role("status")).to_contain_text("3 penilai disetujui")
    page.goto(f"{office.base}/")
    expect(page.locator(".inbox li[data-kind='nominations_to_approve'] .count")).to_have_text("0")
    approved = [n for n in office.system.feedback.round(office.round_id).nominations.values()
                if n.status == "approved"]
    assert len(approved) == 3
    assert errors == []


def test_hr_finds_a_person_with_the_picker_and_opens_a_round(office: Office, page: Any) -> None:
    errors = watch_errors(page)
    sign_in(page, office.base, "admin")
    page.goto(f"{office.base}/hr/rounds")
    person = page.locator("select#f-reviewee_id")
    search = page.get_by_label("Cari menurut nama")

    search.fill("andi")
    expect(page.locator(".picker [role='status']")).to_have_text("1 orang cocok")
    assert person.input_value() == str(office.ids["other"])

    search.fill("")
    page.get_by_label("Unit kerja").first.select_option("DINKES")
    visible = person.locator("option:not([hidden])")
    expect(visible).to_have_count(2)  # the empty choice and Andi, DINKES's only employee
    page.get_by_label("Unit kerja").first.select_option("")
    search.fill("dewi les")
    assert person.input_value() == str(office.ids["staff"])
    shot(page, "21-person-picker")
    assert fits_the_screen(page) == []

    page.get_by_label("Periode").fill("2027")
    page.get_by_label("Ditutup pada").fill((date.today() + timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Buka putaran").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dewi Lestari")
    assert errors == []


def test_hr_finds_people_beyond_those_a_large_directorys_picker_lists(office: Office, page: Any,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A province's directory is larger than a page can list: the picker lists the first people and asks the server
    for what is typed, by name or (for HR) by NIP, and for a unit none of the listed people is in."""
    monkeypatch.setattr(pickers, "PEOPLE_LIMIT", 2)  # Andi and Budi listed; Dewi, Eko and Siti beyond them
    errors = watch_errors(page)
    sign_in(page, office.base, "admin")
    page.goto(f"{office.base}/hr/rounds")
    person = page.locator("select#f-reviewee_id")
    status = page.locator(".picker [role='status']")
    expect(status).to_have_text("2 orang tercantum: ketik nama untuk menemukan yang lain")

    page.get_by_label("Cari menurut nama").fill("eko pras")
    expect(status).to_have_text("1 orang cocok")
    assert person.input_value() == str(office.ids["Eko Prasetyo"])

    page.get_by_label("Cari menurut nama").fill("199001")  # Dewi's NIP starts so
    expect(status).to_have_text("1 orang cocok")
    assert person.input_value() == str(office.ids["staff"])

    page.get_by_label("Cari menurut nama").fill("")
    page.get_by_label("Unit kerja").first.select_option("BKPSDM")
    expect(status).to_have_text("4 orang cocok")  # Budi listed; Dewi and Eko found before; Siti found now
    names = person.locator("option:not([hidden])").all_inner_texts()
    assert names == ["—", "Budi Santoso (BKPSDM)", "Dewi Lestari (BKPSDM)", "Eko Prasetyo (BKPSDM)",
                     "Siti Rahmawati (BKPSDM)"]

    person.select_option(str(office.ids["staff"]))
    page.get_by_label("Periode").fill("2028")
    page.get_by_label("Ditutup pada").fill((date.today() + timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Buka putaran").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dewi Lestari")
    assert errors == []

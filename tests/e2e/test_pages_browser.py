"""The pages in a real browser: Debian's Chromium driven by Playwright against the app served on 127.0.0.1.
A reviewer signs in and submits a review; HR closes the round; the reviewee sees the report with the radar chart
and a withheld category; an auditor opens a promotion case and sees the replay marked consistent; a committee member
decides a case from the form; a wrong password and a form without its CSRF token are refused. Screenshots of the key
pages go to test-artifacts/ (not committed)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from werkzeug.serving import make_server

from application.actor import Actor, system_actor
from tests.conftest import _make
from tests.web.conftest import seeded_api
from tests.web.pages import FAST_HASH, PASSWORD, RATINGS

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HR = Actor(id="e2e-hr", role="hr_admin", name="Admin BKPSDM")


def browser_missing() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="module", autouse=True)
def need_browser() -> None:
    """Skip, saying why, where the browser cannot run; in CI (JEJAK_REQUIRE_BROWSER=1) fail instead."""
    reason = browser_missing()
    if reason:
        if os.environ.get("JEJAK_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


@dataclass
class Served:
    """The app on a port, its system and the round under review."""

    base: str
    system: Any
    round_id: UUID
    decided_case: UUID  # Andi's case, rejected by the committee as assessed
    waiting_case: UUID  # Dewi's case, assessed and waiting for the committee


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """An app with a sign-in account per person, serving on a free port of 127.0.0.1 in a thread. The staff member
    (Dewi) is reviewed by herself, her supervisor (Siti) and one peer (Andi): too few peers, so the peer category
    will be withheld."""
    for system in _make("sqlite", tmp_path_factory.mktemp("browser"), **FAST_HASH):
        api = seeded_api(system)
        ids, actor = api.ids, system_actor("e2e")
        for username, role, name, who in (("admin", "hr_admin", "Admin BKPSDM", None),
                                          ("siti", "employee", "Siti Rahmawati", "supervisor"),
                                          ("dewi", "employee", "Dewi Lestari", "staff"),
                                          ("andi", "employee", "Andi Pratama", "other"),
                                          ("tim", "committee", "Tim Penilai Kinerja", None),
                                          ("inspektur", "auditor", "Inspektorat Daerah", None)):
            system.accounts.create(actor, username, PASSWORD, role, name, ids[who] if who else None)
        fb = system.feedback
        rid = fb.open_round(HR, ids["staff"], "2026-Q1", date.today() + timedelta(days=14)).id
        for who, relationship in (("staff", "self"), ("supervisor", "supervisor"), ("other", "peer")):
            fb.add(HR, rid, ids[who], relationship)
        for who, score in (("staff", 3), ("other", 5)):
            person = Actor(id=f"e2e-{who}", role="employee", name=who, employee_id=ids[who])
            fb.submit(person, rid, {k: score for k in RATINGS}, {"strengths": f"komentar {who}"})
        decided, waiting = promotion_cases(system, ids)
        server = make_server("127.0.0.1", 0, api.app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Served(f"http://127.0.0.1:{server.server_port}", system, rid, decided, waiting)
        finally:
            server.shutdown()
            thread.join(timeout=10)


def promotion_cases(system: Any, ids: dict[str, UUID]) -> tuple[UUID, UUID]:
    """Andi's rank case assessed and rejected by the committee; Dewi's assessed and waiting for its decision (the
    periods' inputs are the 2024-2025 records, which the 360 story above does not touch)."""
    committee = Actor(id="e2e-committee", role="committee", name="Tim Penilai Kinerja")
    svc = system.promotions
    decided = svc.propose(HR, ids["other"], "rank", "2026-10", "usulan kenaikan pangkat reguler").id
    svc.assess(HR, decided)
    svc.decide(committee, decided, "rejected", "Belum memenuhi syarat", ["Sekretaris Daerah", "Kepala BKPSDM"])
    waiting = svc.propose(HR, ids["staff"], "rank", "2026-10", "usulan kenaikan pangkat reguler").id
    svc.assess(HR, waiting)
    return decided, waiting


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless (never a browser downloaded by Playwright)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (own cookies) with a phone-sized window."""
    context = browser.new_context(viewport={"width": 412, "height": 915}, locale="id-ID")
    yield context.new_page()
    context.close()


def expect(locator: Any) -> Any:
    """Playwright's waiting assertions (imported late: the module loads even where Playwright is missing)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot of a key page."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


WIDER_THAN_THE_SCREEN = """() => document.documentElement.scrollWidth <= window.innerWidth ? [] :
  [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth
    && !e.closest('.table-wrap')).map(e => e.tagName + '.' + (typeof e.className === 'string' ? e.className : ''))"""


def fits_the_screen(page: Any) -> list[str]:
    """What makes the page scroll sideways on the phone-sized window (tables scroll inside their box): nothing."""
    return list(page.evaluate(WIDER_THAN_THE_SCREEN))


def sign_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()


def test_review_closing_and_report(served: Served, browser: Any) -> None:
    """One story, in order (the steps depend on each other, so they are one test even when tests run in
    parallel): a reviewer signs in and submits a review; HR closes the round; the reviewee sees the report."""
    for step in (reviewer_submits_a_review, hr_closes_the_round, reviewee_sees_the_report):
        context = browser.new_context(viewport={"width": 412, "height": 915}, locale="id-ID")
        try:
            step(served, context.new_page())
        finally:
            context.close()


def reviewer_submits_a_review(served: Served, page: Any) -> None:
    sign_in(page, served.base, "siti")
    page.get_by_role("link", name="Permintaan penilaian").first.click()
    shot(page, "01-reviewer-inbox")
    assert fits_the_screen(page) == []
    expect(page.get_by_text("Dewi Lestari").first).to_be_visible()

    page.get_by_role("link", name="Beri penilaian").first.click()
    for qid in RATINGS:
        if qid != "akuntabel":
            page.locator(f"input[name='ratings.{qid}'][value='4']").check()
    page.get_by_role("button", name="Kirim penilaian").click()
    error = page.locator("#ratings-akuntabel-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    shot(page, "02-review-form-error")

    page.locator("input[name='ratings.akuntabel'][value='4']").check()
    page.locator("textarea[name='comments.strengths']").fill("Tegas dan rapi")
    page.get_by_role("button", name="Kirim penilaian").click()
    expect(page.get_by_role("heading", name="Penilaian tercatat")).to_be_visible()
    shot(page, "03-review-confirmation")
    responses = served.system.feedback.round(served.round_id).latest_responses()
    assert {r.relationship for r in responses} == {"self", "supervisor", "peer"}


def hr_closes_the_round(served: Served, page: Any) -> None:
    sign_in(page, served.base, "admin")
    page.goto(f"{served.base}/rounds/{served.round_id}")
    page.locator("form[action$='/close'] textarea[name='reason']").fill("Semua penilai sudah menjawab")
    page.locator("form[action$='/close'] button").click()

    expect(page.locator("#round-status")).to_have_text("ditutup")
    shot(page, "04-hr-round-closed")
    assert served.system.feedback.round(served.round_id).is_open is False


def reviewee_sees_the_report(served: Served, page: Any) -> None:
    sign_in(page, served.base, "dewi")
    page.goto(f"{served.base}/feedback/{served.round_id}/report")

    radar = page.locator("figure#radar svg.radar")
    expect(radar).to_be_visible()
    assert radar.locator("polygon.series").count() == 2
    assert "Berorientasi Pelayanan" in radar.inner_html()
    peer = page.locator("#category-peer")
    assert "ditahan" in peer.inner_text()
    assert "komentar other" not in page.content()  # the withheld peer's comment stays hidden
    shot(page, "05-report-radar-withheld")
    assert fits_the_screen(page) == []


def test_auditor_opens_a_promotion_case_and_sees_the_replay_marked_consistent(served: Served, page: Any) -> None:
    sign_in(page, served.base, "inspektur")
    page.get_by_role("link", name="Riwayat keputusan").first.click()
    page.get_by_role("link", name="Andi Pratama").click()
    expect(page.locator("#eligibility")).to_have_text("tidak memenuhi syarat")
    page.get_by_role("link", name="Replay dan perubahan").click()

    overall = page.locator("#replay-overall")
    expect(overall).to_contain_text("✓ konsisten")
    expect(overall).to_have_class("notice")
    for row in page.locator("#replay tbody tr").all():
        expect(row).to_contain_text("✓ konsisten")
    assert page.locator("#replay tbody tr").count() == 8  # the eight criteria of a regular promotion (rule set 1)
    expect(page.locator("#today-under_pinned_rules")).to_be_visible()
    shot(page, "09-auditor-replay-consistent")
    assert fits_the_screen(page) == []


def test_committee_member_decides_a_case_from_the_form(served: Served, page: Any) -> None:
    sign_in(page, served.base, "tim")
    page.get_by_role("link", name="Usulan kenaikan").first.click()
    page.get_by_role("link", name="Dewi Lestari").click()
    page.get_by_label("Hasil").select_option("approved")  # against the assessment: needs a justification
    page.get_by_label("Pertimbangan").fill("Kebutuhan organisasi")
    page.get_by_label("Anggota yang hadir").fill("Sekretaris Daerah\nKepala BKPSDM")
    page.get_by_role("button", name="Catat keputusan").click()
    error = page.locator("#justification-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("justifikasi tertulis")
    shot(page, "10-committee-justification-required")

    page.get_by_label("Hasil").select_option("rejected")
    page.get_by_label("Pertimbangan").fill("Belum memenuhi syarat predikat kinerja")
    page.get_by_role("button", name="Catat keputusan").click()

    expect(page.get_by_role("status")).to_contain_text("Keputusan tim telah dicatat.")
    expect(page.locator("#case-status")).to_contain_text("ditolak")
    shot(page, "11-committee-decided")
    assert fits_the_screen(page) == []
    decision = served.system.promotions.case(HR, served.waiting_case).decision
    assert decision.outcome == "rejected" and list(decision.members_present) == ["Sekretaris Daerah",
                                                                                 "Kepala BKPSDM"]


def test_wrong_password_is_refused_with_one_message(served: Served, page: Any) -> None:
    sign_in(page, served.base, "dewi", "kata-sandi-keliru")

    expect(page.get_by_role("alert").first).to_have_text("Nama pengguna atau kata sandi tidak benar.")
    assert page.url.endswith("/sign-in")
    shot(page, "06-wrong-password")


def test_form_without_its_csrf_token_is_refused(served: Served, page: Any) -> None:
    page.goto(f"{served.base}/sign-in")
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())")
    page.get_by_label("Nama pengguna").fill("dewi")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    expect(page.get_by_role("alert").first).to_contain_text("token keamanan")
    shot(page, "07-csrf-refused")
    page.goto(f"{served.base}/reviews")
    assert "/sign-in" in page.url  # not signed in


def test_language_switch_and_keyboard_only_sign_in(served: Served, page: Any) -> None:
    page.goto(f"{served.base}/sign-in")
    page.get_by_label("Bahasa").select_option("en")
    page.get_by_role("button", name="Ganti").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.get_by_label("Username").focus()
    page.keyboard.type("dewi")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Welcome, Dewi Lestari")).to_be_visible()
    shot(page, "08-home-english")

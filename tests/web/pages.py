"""Page-test support: the seeded app with one sign-in account per role, and a browser-like client."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from pathlib import Path
from typing import Any
from uuid import UUID

from babel.messages.pofile import read_po
from flask import Response, request
from flask.testing import FlaskClient

from application.actor import Actor, system_actor
from application.question_book import default_questions
from tests.conftest import _make
from tests.web.conftest import Api, seeded_api

PASSWORD = "kata-sandi-uji-123"
FAST_HASH = {"password_time_cost": 1, "password_memory_kib": 64}  # argon2id at its cheapest: tests only
USERNAMES = {"hr_admin": "admin", "supervisor": "siti", "employee": "dewi", "committee": "tim", "auditor": "inspektur",
             "investigator": "investigator"}
DISPLAY_NAMES = {"investigator": "Pemeriksa Inspektorat"}  # not an English word that recorded reasons repeat
RATINGS = {q["id"]: 4 for q in default_questions()["questions"] if q["kind"] == "rating"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Site:
    """The seeded app, its API helper, and the account id of each role."""

    api: Api
    accounts: dict[str, UUID]

    @property
    def jejak(self) -> Any:
        """The running system."""
        return self.api.jejak

    def client(self, role: str | None = None) -> FlaskClient:
        """A fresh client, signed in as the role's account (None: anonymous)."""
        if role is None:
            return self.api.app.test_client()
        return self.client_of(self.accounts[role])

    def client_of(self, account_id: UUID) -> FlaskClient:
        """A fresh client with a live session of the account (as if it had signed in)."""
        client = self.api.app.test_client()
        with client.session_transaction() as session:
            session["account_id"] = str(account_id)
            session["sid"] = self.api.jejak.page_sessions.start(account_id)
        return client


CATALOGUE = Path(__file__).resolve().parents[2] / "web" / "pages" / "translations" / "id" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")
SKIPPED_ELEMENTS = re.compile(r"<(script|style|pre|code)\b.*?</\1>", re.S)
TAG = re.compile(r"<[^>]+>")


@functools.cache
def english_phrases() -> tuple[str, ...]:
    """The English messages of the pages (the catalogue's msgids that Indonesian says otherwise), cut at their
    placeholders into phrases of at least two words; a phrase the Indonesian text keeps (a law's name) is left out."""
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh)
    phrases: set[str] = set()
    for message in catalogue:
        if not message.id or not message.string or not isinstance(message.id, str):
            continue
        for part in PLACEHOLDER.split(message.id):
            phrase = " ".join(part.strip(" .,:;()—-").split())
            if len(phrase.split()) >= 2 and len(phrase) >= 10 and phrase not in message.string:
                phrases.add(phrase)
    return tuple(sorted(phrases))


def visible_text(html: str) -> str:
    """A page's text as the visitor reads it (raw payloads and ids in <pre> and <code> are data, not messages)."""
    return " ".join(unescape(TAG.sub(" ", SKIPPED_ELEMENTS.sub(" ", html))).split())


def english_on_page(html: str) -> list[str]:
    """The English messages an Indonesian page shows."""
    text = visible_text(html)
    return [p for p in english_phrases() if p in text and re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]


ISO_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")


def iso_dates_on_page(html: str) -> list[str]:
    """Dates a page shows as ISO text (2026-12-16) instead of in its language's one format (16 Des 2026)."""
    return ISO_DATE.findall(visible_text(html))


def refuse_english_on_indonesian_pages(response: Response) -> Response:
    """After every page a test renders: an Indonesian page holds no message of the English catalogue, and no page
    shows a date as ISO text."""
    if response.mimetype == "text/html" and response.status_code != 302:
        html = response.get_data(as_text=True)
        if '<html lang="id"' in html:
            found = english_on_page(html)
            assert not found, f"English on the Indonesian page {request.path}: {found}"
        iso = iso_dates_on_page(html)
        assert not iso, f"ISO dates on the page {request.path}: {iso}"
    return response


def build_site(tmp_path: Path, kind: str = "sqlite", **overrides: Any) -> Iterator[Site]:
    """A seeded app (see tests/web/conftest.py) with an account per role (on SQLite unless ``kind`` says otherwise);
    every page it renders is checked for English on Indonesian pages."""
    for system in _make(kind, tmp_path, **FAST_HASH, **overrides):
        api = seeded_api(system)
        api.app.after_request(refuse_english_on_indonesian_pages)
        actor = system_actor("test-accounts")
        employee_of = {"supervisor": api.ids["supervisor"], "employee": api.ids["staff"]}
        accounts = {role: system.accounts.create(actor, name, PASSWORD, role, DISPLAY_NAMES.get(role, name.title()),
                                                 employee_of.get(role)).id
                    for role, name in USERNAMES.items()}
        yield Site(api, accounts)


def csrf_token(client: FlaskClient, path: str = "/sign-in") -> str:
    """The CSRF token a page's forms carry for this client's session."""
    found = CSRF.search(client.get(path).get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def post_form(client: FlaskClient, path: str, data: dict[str, Any], token_from: str | None = None) -> Any:
    """Post a form the way a browser would, with the CSRF token of the page it came from."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_from or path)})


def read_with_reason(client: FlaskClient, path: str, reason: str, **extra: str) -> Any:
    """Open a page behind a recorded read as a browser does: the reason form's POST (with its CSRF token), then the
    page it redirects to."""
    posted = post_form(client, path, {"reason": reason, **extra})
    assert posted.status_code == 303, posted.get_data(as_text=True)[-600:]
    return client.get(posted.headers["Location"])


HR = Actor(id="page-test-hr", role="hr_admin", name="Admin BKPSDM")


def as_person(site: Site, who: str) -> Actor:
    """An actor for an employee of the seed (``staff``, ``supervisor`` or ``other``)."""
    return Actor(id=f"page-test-{who}", role="employee", name=who, employee_id=site.api.ids[who])


def open_round_with_reviewers(site: Site, period: str = "2026-Q1") -> UUID:
    """An open round of the staff member with her (self) and her supervisor approved as reviewers."""
    fb, ids = site.jejak.feedback, site.api.ids
    rid: UUID = fb.open_round(HR, ids["staff"], period, date.today() + timedelta(days=30)).id
    fb.add(HR, rid, ids["staff"], "self")
    fb.add(HR, rid, ids["supervisor"], "supervisor")
    return rid


def closed_round(site: Site, period: str = "2026-Q2", peers: int = 1) -> UUID:
    """A closed round of the staff member answered by herself, her supervisor and ``peers`` peers (fewer than three
    peers: the peer category is withheld)."""
    rid = open_round_with_reviewers(site, period)
    fb, ids = site.jejak.feedback, site.api.ids
    fb.submit(as_person(site, "staff"), rid, {k: 3 for k in RATINGS}, {"strengths": "teliti"})
    fb.submit(as_person(site, "supervisor"), rid, dict(RATINGS), {"to_develop": "delegasi"})
    if peers:
        fb.add(HR, rid, ids["other"], "peer")
        fb.submit(as_person(site, "other"), rid, {k: 5 for k in RATINGS}, {"strengths": "ramah"})
    fb.close(HR, rid, "semua penilai sudah menjawab")
    return rid


COMMITTEE = Actor(id="page-test-committee", role="committee", name="Tim Penilai Kinerja")


def decided_case(site: Site, outcome: str = "rejected", period: str = "2026-10") -> UUID:
    """A rank case of the staff member proposed and assessed by HR (no appraisals: not eligible) and decided by the
    committee."""
    svc = site.jejak.promotions
    case_id: UUID = svc.propose(HR, site.api.ids["staff"], "rank", period, "usulan kenaikan pangkat reguler").id
    svc.assess(HR, case_id)
    svc.decide(COMMITTEE, case_id, outcome, "belum memenuhi syarat", ["Sekretaris Daerah"])
    return case_id

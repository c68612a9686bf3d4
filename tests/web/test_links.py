"""Every link shown is one the visitor may follow: starting from the home page, each relation of the access-matrix
organisation (tests/web/test_access_matrix.py) follows every link on every page it reaches, and none answers 403
or 404. Pages of the same shape (the same route with other ids) are followed a few times each, not all."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from datetime import date, timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from tests.web.test_access_matrix import HR, RELATIONS, Org, assign_to, build_org, person

HREF = re.compile(r'<a [^>]*href="([^"#]+)')
ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PER_SHAPE = 3  # pages followed per route shape
NOT_PAGES = ("/api/", "/assets/", "/sign-in", "/sign-out")


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    """The matrix organisation (investigators as page accounts) with one more open round of Dewi's: her peers
    proposed and waiting for Siti's approval, so /team, /feedback and /nominations have links to follow; her 2026
    appraisal with Siti's coaching note and a dialogue with an open action (the dialogue history on her standing and
    /dialogue-actions link to them)."""
    for built in build_org("sqlite", tmp_path_factory.mktemp("links")):
        assign_to(built, "pages")
        system, ids = built.app.extensions["jejak"], built.ids
        rid = system.feedback.open_round(HR, ids["dewi"], "2026-Q1", date.today() + timedelta(days=3)).id
        system.feedback.nominate(person(ids, "dewi"), rid, [(ids[p], "peer") for p in ("rina", "andi", "budi")])
        appraisal = system.appraisals.open(HR, ids["dewi"], "2026").id
        system.appraisals.record_note(person(ids, "siti"), appraisal, "laporan mingguan lebih rapi")
        system.dialogues.record(person(ids, "dewi"), ids["dewi"], date.today(), ["Beban kerja"],
                                [{"text": "menyusun jadwal", "owner": "employee", "due_on": None}], None, "dibahas")
        yield built


def signed_in(org: Org, relation: str) -> FlaskClient:
    """A client with a live session of the relation's page account."""
    client: FlaskClient = org.app.test_client()
    with client.session_transaction() as session:
        session["account_id"] = str(org.accounts[relation])
        session["sid"] = org.app.extensions["jejak"].page_sessions.start(org.accounts[relation])
    return client


def links(body: str) -> list[str]:
    """The site's own page links of a page (no API, assets or sign-in machinery)."""
    out = []
    for raw in HREF.findall(body):
        href = unescape(raw)
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href.startswith("/") or href.startswith(NOT_PAGES):
            continue
        out.append(href)
    return out


def shape(href: str) -> str:
    """A link's route shape: its path with ids blanked, and its query's parameter names."""
    parts = urlsplit(href)
    names = sorted(p.split("=")[0] for p in parts.query.split("&") if p and not p.startswith("cursor="))
    return ID.sub("{id}", parts.path) + "?" + "&".join(names)


def walk(client: FlaskClient) -> tuple[dict[str, int], dict[str, str]]:
    """Follow every link from the home page; returns each visited link's status and where each was found."""
    seen: dict[str, int] = {}
    found_on: dict[str, str] = {"/": "(start)"}
    per_shape: dict[str, int] = {}
    queue = deque(["/"])
    while queue:
        href = queue.popleft()
        response = client.get(href)
        seen[href] = response.status_code
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        for link in links(response.get_data(as_text=True)):
            key = shape(link)
            if link in found_on or per_shape.get(key, 0) >= PER_SHAPE:
                continue
            per_shape[key] = per_shape.get(key, 0) + 1
            found_on[link] = href
            queue.append(link)
    return seen, found_on


@pytest.mark.parametrize("relation", RELATIONS)
def test_no_link_shown_to_a_visitor_answers_403_or_404(org: Org, relation: str) -> None:
    seen, found_on = walk(signed_in(org, relation))

    dead = {href: (status, found_on[href]) for href, status in seen.items() if status in (403, 404)}
    assert dead == {}
    assert len(seen) > 3  # the walk went somewhere: home, the menu's pages and beyond


def test_the_supervisor_reaches_the_rounds_nominations_from_team_and_feedback(org: Org) -> None:
    client = signed_in(org, "direct")  # Siti
    team = client.get("/team").get_data(as_text=True)
    rounds = client.get("/feedback").get_data(as_text=True)

    for body in (team, rounds):
        assert any(link.startswith("/rounds/") for link in links(body))
    assert "/nominations" in links(team)


def test_the_report_is_offered_only_to_those_who_may_read_it(org: Org) -> None:
    closed = f"/feedback/{org.ids['round']}/report"
    offered = {relation: closed in links(signed_in(org, relation).get("/feedback").get_data(as_text=True))
               for relation in ("self", "direct", "indirect", "hr", "auditor")}

    assert offered == {"self": True, "direct": True, "indirect": False, "hr": True, "auditor": True}

"""Every list pages with a cursor and says how many there are: the API's arrays carry X-Total-Count and a Link to
the next page, its page objects a total; the list pages show the count and a link to the next page; a cursor this
site did not make is refused (400), never a 500."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from application.actor import system_actor
from application.queries.filters import RoundFilter
from tests.web.pages import HR, RATINGS, Site, as_person, build_site, decided_case

PERIODS = ("2022", "2023", "2024", "2025", "2026")
NEXT = re.compile(r'<([^>]+)>; rel="next"')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Two more reports of the supervisor (Budi, Eko); five appraisals of the staff member and five of the other employee; five rounds, each with a proposed reviewer
    waiting for approval and the staff member asked to review herself (she has answered the last); three trainings, potential assessments and awards; two mentoring assignments; three decided
    cases, each grieved and assigned to the investigator."""
    for built in build_site(tmp_path_factory.mktemp("paging")):
        ids = built.api.ids
        for nip, name in (("199105102016031001", "Budi Santoso"), ("199508202019031003", "Eko Prasetyo")):
            ids[name.split()[0].lower()] = built.jejak.registry.register_employee(
                system_actor("paging-test"), nip=nip, name=name, unit="BKPSDM", position="Analis SDM", rank="III/a",
                rank_since=date(2020, 4, 1), supervisor_id=ids["supervisor"]).id
        for who in ("staff", "other"):
            for period in PERIODS:
                built.jejak.appraisals.open(HR, ids[who], period, assessor_id=ids["supervisor"])
        for period in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2025"):
            opened = built.jejak.feedback.open_round(HR, ids["staff"], period, built.jejak.feedback.today())
            built.jejak.feedback.propose(HR, opened.id, [(ids["supervisor"], "supervisor")])
            built.jejak.feedback.add(HR, opened.id, ids["staff"], "self")
        built.jejak.feedback.submit(as_person(built, "staff"), opened.id, dict(RATINGS), {})
        for n, who in enumerate(("staff", "other", "supervisor")):
            built.jejak.trainings.record(HR, employee_id=ids[who], course=f"Pelatihan {n}", provider="BPSDM", jp=8,
                                         start_date=date(2025, 5, 5 + n), end_date=date(2025, 5, 5 + n),
                                         certificate_number=f"800/PAGING/{n}")
            built.jejak.talent.assess_potential(HR, ids[who], "high", "uji kompetensi")
            built.jejak.recognition.grant(HR, ids[who], "performance", "Kinerja Terbaik", "target terlampaui")
        built.jejak.mentoring.assign(HR, ids["supervisor"], ids["staff"], ["menyusun kajian"])
        built.jejak.mentoring.assign(HR, ids["supervisor"], ids["other"], ["menyusun laporan"])
        investigator = built.jejak.person_view.principal(built.accounts["investigator"])["person_id"]
        for period in ("2026-10", "2026-12", "2027-02"):
            case = decided_case(built, period=period)
            filed = built.jejak.grievances.file(as_person(built, "staff"), "promotion_decision", case, "nilai keliru")
            built.jejak.grievances.assign(HR, filed.id, investigator)
        yield built


def walk_api(site: Site, path: str, role: str = "hr_admin") -> tuple[list[list[Any]], set[str]]:
    """Follow an array list's Link headers to the end: the ids of each page, and every X-Total-Count seen."""
    pages, totals = [], set()
    while path:
        answer = site.api.call("GET", path, role)
        assert answer.status_code == 200, answer.get_json()
        pages.append([item["id"] for item in answer.get_json()])
        totals.add(answer.headers["X-Total-Count"])
        found = NEXT.search(answer.headers.get("Link", ""))
        path = found.group(1) if found else ""
    return pages, totals


@pytest.mark.parametrize(("path", "total"), [
    ("/api/appraisals?limit=3", 10),
    ("/api/appraisals?limit=2&employee_id={staff}", 5),
    ("/api/feedback-rounds?limit=2", 5),
    ("/api/grievances?limit=2", 3),
    ("/api/trainings?limit=2", 3),
    ("/api/potential-assessments?limit=1", 3),
    ("/api/awards?limit=2", 3),
    ("/api/mentoring?limit=1", 2),
])
def test_an_api_list_pages_with_a_link_and_says_how_many(site: Site, path: str, total: int) -> None:
    pages, totals = walk_api(site, path.format(**{k: str(v) for k, v in site.api.ids.items()}))

    ids = [i for page in pages for i in page]
    assert totals == {str(total)}
    assert len(ids) == total == len(set(ids))  # every item once, none skipped
    assert len(pages) == -(-total // int(re.search(r"limit=(\d+)", path).group(1)))  # type: ignore[union-attr]


def test_the_pages_follow_the_order_of_the_unpaged_list(site: Site) -> None:
    whole = [a["id"] for a in site.api.call("GET", "/api/appraisals?limit=500").get_json()]
    pages, _totals = walk_api(site, "/api/appraisals?limit=4")

    assert [i for page in pages for i in page] == whole


@pytest.mark.parametrize("path", ["/api/employees?limit=1", "/api/promotion-cases?limit=1",
                                  "/api/promotion-decisions?limit=1"])
def test_a_paged_object_says_how_many_there_are(site: Site, path: str) -> None:
    body = site.api.call("GET", path).get_json()

    assert len(body["items"]) == 1 and body["next_cursor"]
    assert body["total"] == {"employees": 5}.get(path.split("?")[0].rsplit("/", 1)[1], 3)


@pytest.mark.parametrize("path", ["/api/appraisals?cursor=bm90LWEtY3Vyc29y", "/api/feedback-rounds?cursor=WzFd",
                                  "/api/grievances?cursor=WyJ4IiwieSJd"])
def test_a_cursor_the_api_did_not_make_is_refused_by_name(site: Site, path: str) -> None:
    answer = site.api.call("GET", path)

    assert answer.status_code == 400
    assert answer.content_type == "application/problem+json"
    assert "cursor" in answer.get_json()["errors"]


def walk_page(site: Site, role: str, path: str | None, total: int, item: str) -> list[list[str]]:
    """Follow a list page's next links to the end, checking each says how many there are: the ids of each page."""
    client = site.client(role)
    pages: list[list[str]] = []
    while path:
        body = client.get(path).get_data(as_text=True)
        assert f"{total} seluruhnya" in body
        pages.append(re.findall(item, body))
        found = re.search(r'<a href="([^"]+)" rel="next">', body)
        path = found.group(1).replace("&amp;", "&") if found else None
    return pages


def test_a_list_page_says_how_many_and_links_the_next_page(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.pages.people.PAGE_SIZE", 4)
    pages = walk_page(site, "hr_admin", "/appraisals", 10, r'href="/appraisals/([0-9a-f-]{36})"')

    seen = [i for page in pages for i in page]
    assert len(seen) == 10 == len(set(seen)) and len(pages) == 3


def test_the_investigations_page_pages_the_grievances_assigned(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.pages.audit.PAGE_SIZE", 2)
    pages = walk_page(site, "investigator", "/investigations", 3, r'href="/grievances/([0-9a-f-]{36})"')

    seen = [i for page in pages for i in page]
    assert len(seen) == 3 == len(set(seen)) and [len(p) for p in pages] == [2, 1]


def test_the_nominations_page_pages_the_proposed_reviewers(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.pages.hr.PAGE_SIZE", 2)
    pages = walk_page(site, "hr_admin", "/nominations", 5, r'id="c-([0-9a-f-]{36})"')

    seen = [i for page in pages for i in page]
    assert len(seen) == 5 == len(set(seen)) and [len(p) for p in pages] == [2, 2, 1]


def test_the_reviews_page_pages_the_requests_waiting_ones_first(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.pages.feedback.PAGE_SIZE", 2)
    pages = walk_page(site, "employee", "/reviews", 5, r'href="/reviews/([0-9a-f-]{36})"')

    seen = [i for page in pages for i in page]
    answered = site.jejak.feedback_view.rounds(RoundFilter(period="2025"), 5)[0]["id"]
    assert len(seen) == 5 == len(set(seen)) and [len(p) for p in pages] == [2, 2, 1]
    assert seen[-1] == str(answered)  # the one she has answered comes after those waiting for her


def test_the_team_page_pages_the_direct_reports(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.pages.people.PAGE_SIZE", 2)
    pages = walk_page(site, "supervisor", "/team", 3, r'<h2 id="p-([0-9a-f-]{36})">')

    by_name = [[str(site.api.ids["budi"]), str(site.api.ids["staff"])], [str(site.api.ids["eko"])]]
    assert pages == by_name  # Budi, Dewi | Eko


ROLE_OF = {"/investigations": "investigator", "/reviews": "employee", "/team": "supervisor"}


@pytest.mark.parametrize("path", ["/appraisals", "/feedback", "/hr/rounds", "/grievances", "/investigations",
                                  "/nominations", "/reviews", "/team"])
def test_a_list_page_refuses_a_cursor_it_did_not_make(site: Site, path: str) -> None:
    answer = site.client(ROLE_OF.get(path, "hr_admin")).get(path + "?cursor=WyJ4Il0")

    assert answer.status_code == 400
    assert "tidak berlaku lagi" in answer.get_data(as_text=True)

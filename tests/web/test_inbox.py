"""The home page is each role's inbox: a count per duty the access policy gives them, each linking to the list that
shows exactly what it counts; GET /api/inbox answers the same counts. Proposed reviewers wait on /nominations,
where the round's supervisor or HR approves several at once, all or nothing. The open actions of a performance
dialogue wait in both parties' inboxes, on /dialogue-actions, until either marks them done."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from application.actor import system_actor
from tests.web.pages import (
    COMMITTEE,
    HR,
    Site,
    as_person,
    build_site,
    decided_case,
    english_on_page,
    open_round_with_reviewers,
    post_form,
)

CARD = re.compile(r'data-kind="(\w+)"><a href="([^"]+)"><span class="count">(\d+)</span>')


def add_peers(site: Site) -> list[UUID]:
    """Two more colleagues of the staff member (with Andi, the three peers a reviewee must propose)."""
    reg, actor = site.jejak.registry, system_actor("inbox-test")
    return [reg.register_employee(actor, nip=nip, name=name, unit="BKPSDM", position="Analis SDM", rank="III/a",
                                  rank_since=date(2020, 4, 1)).id
            for nip, name in (("199105102016031001", "Budi Santoso"), ("199508202019031003", "Eko Prasetyo"))]


def hold_dialogue(site: Site, actions: list[str]) -> UUID:
    """Dewi records a dialogue with Siti, her supervisor, agreeing one action for each of them per text."""
    agreed = [{"text": text, "owner": owner, "due_on": None} for text in actions for owner in ("employee", "supervisor")]
    return site.jejak.dialogues.record(as_person(site, "staff"), site.api.ids["staff"], date.today(), ["Capaian"],
                                       agreed, None, "target triwulan dibahas").id


def propose_peers(site: Site, round_id: UUID, peers: list[UUID]) -> None:
    """The reviewee proposes her three peers (they wait for her supervisor's approval)."""
    site.jejak.feedback.nominate(as_person(site, "staff"), round_id, [(p, "peer") for p in peers])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Dewi's round closing in three days with her three proposed peers and her own review to write; her 2026
    appraisal waiting for Siti's assessment; a dialogue of theirs with two open actions; a case proposed (to assess), one assessed (to decide), one decided and
    grieved (a grievance to assign)."""
    for built in build_site(tmp_path_factory.mktemp("inbox")):
        ids = built.api.ids
        peers = [ids["other"], *add_peers(built)]
        fb = built.jejak.feedback
        ids["round"] = fb.open_round(HR, ids["staff"], "2026-Q4", date.today() + timedelta(days=3)).id
        fb.add(HR, ids["round"], ids["staff"], "self")
        propose_peers(built, ids["round"], peers)
        built.jejak.appraisals.open(HR, ids["staff"], "2026")
        hold_dialogue(built, ["menyusun rencana pelatihan"])
        svc = built.jejak.promotions
        svc.propose(HR, ids["other"], "rank", "2026-10", "usulan kenaikan pangkat reguler")
        assessed = svc.propose(HR, ids["supervisor"], "rank", "2026-10", "usulan kenaikan pangkat reguler").id
        svc.assess(HR, assessed)
        ids["decided"] = decided_case(built)
        built.jejak.grievances.file(as_person(built, "staff"), "promotion_decision", ids["decided"], "nilai keliru")
        yield built


def cards(site: Site, role: str) -> dict[str, tuple[str, int]]:
    """The home page's inbox as the role sees it: duty -> (link, count)."""
    body = site.client(role).get("/").get_data(as_text=True)
    return {kind: (href.replace("&amp;", "&"), int(count)) for kind, href, count in CARD.findall(body)}


@pytest.mark.parametrize(("role", "expected"), [
    ("employee", {"reviews_to_write": 1, "appraisals_to_assess": 0, "objections_to_decide": 0,
                  "dialogue_actions": 2}),
    ("supervisor", {"reviews_to_write": 0, "nominations_to_approve": 3, "rounds_closing": 1,
                    "appraisals_to_assess": 1, "objections_to_decide": 0, "dialogue_actions": 2}),
    ("hr_admin", {"nominations_to_approve": 3, "rounds_closing": 1, "cases_to_assess": 1, "cases_reopened": 0,
                  "grievances_to_assign": 1}),
    ("committee", {"cases_to_assess": 1, "cases_reopened": 0, "cases_awaiting_decision": 1}),
    ("investigator", {"grievances_assigned": 0}),
    ("auditor", {}),
])
def test_the_home_page_counts_what_waits_for_each_role(site: Site, role: str, expected: dict[str, int]) -> None:
    shown = cards(site, role)

    assert {kind: count for kind, (_href, count) in shown.items()} == expected


@pytest.mark.parametrize("role", ["employee", "supervisor", "hr_admin", "committee", "investigator"])
def test_each_count_links_to_a_list_of_exactly_what_it_counts(site: Site, role: str) -> None:
    client = site.client(role)
    for kind, (href, count) in cards(site, role).items():
        page = client.get(href)
        assert page.status_code == 200, (kind, href)
        body = page.get_data(as_text=True)
        listed = listed_items(kind, body)
        assert listed == count, (kind, href, listed)


def listed_items(kind: str, body: str) -> int:
    """How many things a list page shows for a duty (rows of its table, or reviewers to tick)."""
    if kind == "nominations_to_approve":
        return body.count('name="chosen"')
    if kind == "reviews_to_write":
        pending = body.split("<h2", 2)[1] if "<h2" in body else ""
        return pending.count("/reviews/")
    tbody = re.search(r"<tbody>(.*?)</tbody>", body, re.S)
    if tbody is None:
        return 0
    return len(re.findall(r"<tr>(?!<td colspan)", tbody.group(1)))


def test_the_api_answers_the_same_counts_with_the_pages_that_list_them(site: Site) -> None:
    answer = site.api.call("GET", "/api/inbox", "supervisor")

    assert answer.status_code == 200
    body = answer.get_json()
    by_kind = {item["kind"]: item for item in body["items"]}
    page = cards(site, "supervisor")
    assert {k: v["count"] for k, v in by_kind.items()} == {k: c for k, (_h, c) in page.items()}
    assert body["total"] == sum(c for _h, c in page.values())
    assert by_kind["nominations_to_approve"]["page"] == "/nominations"
    assert by_kind["rounds_closing"]["until"] == (site.jejak.feedback.today() + timedelta(days=6)).isoformat()


def test_an_indonesian_home_page_names_the_duties_in_indonesian(site: Site) -> None:
    body = site.client("supervisor").get("/").get_data(as_text=True)

    assert "Menunggu Anda" in body and "Usulan penilai untuk disetujui" in body
    assert "Nominations to approve" not in body


# --- open actions of performance dialogues ---------------------------------------------------------------------


@pytest.fixture
def talked(tmp_path: Any) -> Iterator[Site]:
    """A site of its own (actions are marked done): Dewi and Siti agreed one action each in a dialogue."""
    for built in build_site(tmp_path):
        built.api.ids["dialogue"] = hold_dialogue(built, ["membaca pedoman SKP"])
        yield built


def open_actions(site: Site) -> dict[str, int]:
    """The open-actions count on each party's home page."""
    return {role: cards(site, role)["dialogue_actions"][1] for role in ("employee", "supervisor")}


def test_open_dialogue_actions_wait_for_both_parties_until_done(talked: Site) -> None:
    assert open_actions(talked) == {"employee": 2, "supervisor": 2}
    client = talked.client("employee")
    body = client.get("/dialogue-actions").get_data(as_text=True)
    assert "Tindakan dialog yang belum selesai" in body and body.count('name="note"') == 2
    assert english_on_page(body) == []
    forms = re.findall(r'<form method="post" class="inline" action="([^"]+)"', body)

    response = post_form(client, forms[0], {"note": "sudah dibaca bersama", "back": "actions"},
                         token_from="/dialogue-actions")

    assert response.status_code == 302 and response.headers["Location"].endswith("/dialogue-actions?notice=done")
    assert open_actions(talked) == {"employee": 1, "supervisor": 1}
    response = post_form(talked.client("supervisor"), forms[1], {"note": "pedoman dikirim", "back": "actions"},
                         token_from="/dialogue-actions")
    assert response.status_code == 302
    assert open_actions(talked) == {"employee": 0, "supervisor": 0}
    assert "Tidak ada tindakan yang belum selesai." in client.get("/dialogue-actions").get_data(as_text=True)


def test_a_party_outside_the_dialogue_has_no_open_actions_of_it(talked: Site) -> None:
    other = talked.jejak.queries.inbox.item(as_person(talked, "other"), "dialogue_actions")

    assert other.count == 0
    assert "dialogue_actions" not in cards(talked, "hr_admin")


# --- approving several nominations at once ---------------------------------------------------------------------


@pytest.fixture
def fresh(tmp_path: Any) -> Iterator[Site]:
    """A site of its own (approvals change it): Dewi's open round with her three proposed peers."""
    for built in build_site(tmp_path):
        built.api.ids["round"] = open_round_with_reviewers(built, "2026-Q4")
        propose_peers(built, built.api.ids["round"], [built.api.ids["other"], *add_peers(built)])
        yield built


def ticked(site: Site, role: str) -> list[str]:
    """The checkbox values the nominations page offers the role."""
    body = site.client(role).get("/nominations").get_data(as_text=True)
    return re.findall(r'name="chosen" value="([^"]+)"', body)


def statuses(site: Site) -> dict[str, int]:
    """How many of the round's nominations are in each state."""
    out: dict[str, int] = {}
    for n in site.jejak.queries.feedback.round(HR, site.api.ids["round"])["nominations"]:
        out[n["status"]] = out.get(n["status"], 0) + 1
    return out


def test_the_supervisor_approves_several_reviewers_at_once(fresh: Site) -> None:
    client = fresh.client("supervisor")
    values = ticked(fresh, "supervisor")
    assert len(values) == 3
    assert "3 seluruhnya" in client.get("/nominations").get_data(as_text=True)

    response = post_form(client, "/nominations", {"chosen": values})

    assert response.status_code == 302 and "approved=3" in response.headers["Location"]
    assert statuses(fresh) == {"approved": 5}
    assert "3 penilai disetujui" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert ticked(fresh, "supervisor") == []


def test_one_refused_nomination_approves_none_of_the_ticked(fresh: Site) -> None:
    values = ticked(fresh, "supervisor")
    first_round, first = values[0].split(":")
    fresh.jejak.feedback.approve(HR, UUID(first_round), UUID(first))  # approved meanwhile by HR
    client = fresh.client("supervisor")

    response = post_form(client, "/nominations", {"chosen": values}, token_from="/nominations")

    assert response.status_code in (409, 422)
    assert statuses(fresh) == {"approved": 3, "proposed": 2}


def test_nothing_ticked_is_refused_next_to_the_list(fresh: Site) -> None:
    response = post_form(fresh.client("hr_admin"), "/nominations", {})

    assert response.status_code == 422
    assert "Centang paling sedikit satu penilai" in response.get_data(as_text=True)
    assert statuses(fresh) == {"approved": 2, "proposed": 3}


def test_a_nomination_outside_the_supervisors_rounds_is_refused(fresh: Site) -> None:
    values = ticked(fresh, "hr_admin")
    other = fresh.client("employee")  # Dewi supervises nobody: the page is not hers

    response = post_form(other, "/nominations", {"chosen": values}, token_from="/")

    assert response.status_code == 403
    assert statuses(fresh) == {"approved": 2, "proposed": 3}


def test_the_committee_cannot_approve_from_the_application_either(fresh: Site) -> None:
    values = [tuple(UUID(part) for part in v.split(":")) for v in ticked(fresh, "hr_admin")]

    with pytest.raises(Exception, match="supervisor or HR"):
        fresh.jejak.feedback.approve_many(COMMITTEE, values)  # type: ignore[arg-type]
    assert statuses(fresh) == {"approved": 2, "proposed": 3}

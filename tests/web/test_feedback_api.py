"""360-degree feedback through HTTP: rounds, nominations, responses, reports, requests, reminders and audit reads.

The team: Siti (supervisor) heads BKPSDM; Dewi (the usual reviewee) and four colleagues report to her, so they are
Dewi's peers; Andi works in DINKES and is nobody's supervisor. Each person has an employee token of their own.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import pytest

import web.feedback as feedback_routes
from application.actor import system_actor
from application.question_book import default_questions
from tests.web.conftest import Api, Template, api_on_copy, build_template

PROBLEM = "application/problem+json"
QUESTIONS = default_questions()
RATING_IDS = [q["id"] for q in QUESTIONS["questions"] if q["kind"] == "rating"]
TODAY = date.today()
CLOSES = TODAY + timedelta(days=30)
PERIOD = "2026-Q4"
PEERS = ("peer1", "peer2", "peer3", "peer4")
COLLEAGUES = [
    # key, NIP, name
    ("peer1", "199105102016031001", "Budi Santoso"),
    ("peer2", "199207152017052002", "Rina Wulandari"),
    ("peer3", "199308202018061003", "Eko Prasetyo"),
    ("peer4", "199411252019072004", "Maya Sari"),
]


def ratings(value: Any = 4, **overrides: Any) -> dict[str, Any]:
    """A rating for each of the seven BerAKHLAK questions, some changed."""
    out: dict[str, Any] = {qid: value for qid in RATING_IDS}
    out.update(overrides)
    return out


def q(path: str, **params: Any) -> str:
    """A path with a properly encoded query string (timestamps carry '+')."""
    return f"{path}?{urlencode({k: str(v) for k, v in params.items() if v is not None})}"


@dataclass
class Team:
    """The app with a token per person; ``who`` is a person key or a non-employee role."""

    api: Api
    ids: dict[str, UUID]
    tokens: dict[str, str]

    def headers(self, who: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **extra}

    def call(self, method: str, path: str, who: str = "hr_admin", json: Any = None, **extra: str) -> Any:
        return self.api.client.open(path, method=method, json=json, headers=self.headers(who, **extra))

    def head(self) -> int:
        return self.api.jejak.projections.head()

    # --- the steps of a round, each through HTTP

    def open(self, reviewee: str = "dewi", who: str = "hr_admin", period: str = PERIOD, closes_on: date = CLOSES
             ) -> Any:
        return self.call("POST", "/api/feedback-rounds", who,
                         {"reviewee_id": str(self.ids[reviewee]), "period": period, "closes_on": closes_on.isoformat()})

    def opened(self, reviewee: str = "dewi", **kwargs: Any) -> str:
        response = self.open(reviewee, **kwargs)
        assert response.status_code == 201, response.get_json()
        return str(response.get_json()["id"])

    def nominate(self, rid: str, who: str, *pairs: tuple[str, str], **extra: str) -> Any:
        body = {"nominations": [{"reviewer_id": str(self.ids[p]), "relationship": rel} for p, rel in pairs]}
        return self.call("POST", f"/api/feedback-rounds/{rid}/nominations", who, body, **extra)

    def nominated(self, rid: str, who: str, *pairs: tuple[str, str]) -> dict[str, Any]:
        response = self.nominate(rid, who, *pairs)
        assert response.status_code == 201, response.get_json()
        body: dict[str, Any] = response.get_json()
        return body

    def nomination_of(self, rid: str, person: str) -> dict[str, Any]:
        detail = self.call("GET", f"/api/feedback-rounds/{rid}").get_json()
        return next(n for n in detail["nominations"] if n["reviewer_id"] == str(self.ids[person]))

    def respond(self, rid: str, who: str, answers: dict[str, Any] | None = None,
                comments: dict[str, Any] | None = None, key: str | None = None) -> Any:
        body = {"ratings": ratings() if answers is None else answers, "comments": comments or {}}
        extra = {} if key is None else {"Idempotency-Key": key}
        return self.call("POST", f"/api/feedback-rounds/{rid}/responses", who, body, **extra)

    def responded(self, rid: str, who: str, answers: dict[str, Any] | None = None,
                  comments: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.respond(rid, who, answers, comments)
        assert response.status_code == 201, response.get_json()
        body: dict[str, Any] = response.get_json()
        return body

    def close(self, rid: str, who: str = "hr_admin") -> Any:
        return self.call("POST", f"/api/feedback-rounds/{rid}/close", who, {"reason": "batas waktu internal"})

    def report(self, rid: str, who: str = "hr_admin", **params: Any) -> Any:
        return self.call("GET", q(f"/api/feedback-rounds/{rid}/report", **params), who)

    def events(self, rid: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.call("GET", f"/api/audit/aggregates/{rid}/events?reason=audit", "auditor").get_json()
        return items

    def ready_round(self, peers: tuple[str, ...] = PEERS[:3]) -> str:
        """An open round of Dewi with self, supervisor and the given peers approved (added by Siti)."""
        rid = self.opened()
        self.nominated(rid, "siti", ("dewi", "self"), ("siti", "supervisor"), *((p, "peer") for p in peers))
        return rid


def build_team(api: Api) -> tuple[dict[str, UUID], dict[str, str]]:
    """Register Dewi's four colleagues and give everyone a token; return ids and tokens by person."""
    actor = system_actor("feedback-tests")
    ids = {"siti": api.ids["supervisor"], "dewi": api.ids["staff"], "andi": api.ids["other"]}
    tokens = {role: token for role, token in api.tokens.items() if role not in ("supervisor", "employee")}
    tokens.update(siti=api.tokens["supervisor"], dewi=api.tokens["employee"])
    for key, nip, name in COLLEAGUES:
        saved = api.jejak.registry.register_employee(
            actor, nip=nip, name=name, unit="BKPSDM", position="Analis Kepegawaian Ahli Pertama", rank="III/a",
            rank_since=date(2020, 4, 1), supervisor_id=api.ids["supervisor"])
        ids[key] = saved.id
    for key in ("andi", *PEERS):
        tokens[key] = api.jejak.access.issue(actor, "employee", key, ids[key]).token
    return ids, tokens


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The seeded app plus the team, built once."""
    return build_template(tmp_path_factory, "feedback-template", build_team)


@pytest.fixture
def team(template: Template, tmp_path: Path) -> Iterator[Team]:
    """The team on a fresh copy of the template database, in an app of its own."""
    with api_on_copy(template, tmp_path / "var") as api:
        yield Team(api, dict(template[1]), template[2])


def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = response.get_json()
    return body


def topics(events: list[dict[str, Any]], tail: str) -> list[dict[str, Any]]:
    return [e for e in events if e["topic"].endswith(tail)]


# --- opening ----------------------------------------------------------------------------------------------------


def test_hr_opens_a_round_that_pins_questions_and_anonymity_rules(team: Team) -> None:
    response = team.open()

    assert response.status_code == 201
    body = response.get_json()
    assert (body["reviewee_name"], body["unit"], body["period"], body["status"]) == (
        "Dewi Lestari", "BKPSDM", PERIOD, "open")
    assert body["supervisor_id"] == str(team.ids["siti"])
    assert (body["closes_on"], body["question_set_version"], body["anonymity_threshold"]) == (
        CLOSES.isoformat(), 1, 3)
    assert body["nominations"] == [] and body["closed_at"] is None
    assert response.headers["ETag"] == f'"{body["version"]}"'


def test_the_reviewees_supervisor_opens_a_round(team: Team) -> None:
    assert team.open(who="siti").status_code == 201


@pytest.mark.parametrize(("who", "reviewee"), [("andi", "dewi"), ("dewi", "dewi"), ("peer1", "dewi"),
                                               ("siti", "andi")])
def test_nobody_else_opens_a_round(team: Team, who: str, reviewee: str) -> None:
    head = team.head()

    problem = problem_of(team.open(reviewee, who=who), 403)

    assert "supervisor" in problem["detail"]
    assert team.head() == head


@pytest.mark.parametrize("period", ["2026-Q5", "Q3-2026", "26", "2026/Q3", ""])
def test_a_period_that_is_not_a_year_or_quarter_is_refused_naming_period(team: Team, period: str) -> None:
    assert "period" in problem_of(team.open(period=period), 422)["errors"]


def test_a_closing_date_in_the_past_is_refused_naming_closes_on(team: Team) -> None:
    assert "closes_on" in problem_of(team.open(closes_on=TODAY - timedelta(days=1)), 422)["errors"]


def test_a_second_open_round_for_the_same_reviewee_and_period_is_a_conflict(team: Team) -> None:
    first = team.opened()

    problem = problem_of(team.open(who="siti"), 409)

    assert "period" in problem["errors"] and first in problem["detail"]
    assert team.open(period="2027").status_code == 201


def test_once_a_round_is_closed_the_same_period_may_be_opened_again(team: Team) -> None:
    rid = team.opened()
    assert team.close(rid).status_code == 200

    assert team.open().status_code == 201


def test_other_employees_cannot_see_a_round(team: Team) -> None:
    rid = team.opened()

    assert team.call("GET", f"/api/feedback-rounds/{rid}", "andi").status_code == 404
    assert team.call("GET", "/api/feedback-rounds", "andi").get_json() == []
    assert [r["id"] for r in team.call("GET", "/api/feedback-rounds", "siti").get_json()] == [rid]
    assert [r["id"] for r in team.call("GET", "/api/feedback-rounds", "dewi").get_json()] == [rid]


# --- nominations ------------------------------------------------------------------------------------------------


def test_the_reviewee_proposes_at_least_three_peers_who_wait_for_approval(team: Team) -> None:
    rid = team.opened()

    body = team.nominated(rid, "dewi", ("peer1", "peer"), ("peer2", "peer"), ("peer3", "peer"), ("dewi", "self"))

    assert {(n["reviewer_name"], n["relationship"], n["status"], n["proposed_by"]) for n in body["nominations"]} == {
        ("Budi Santoso", "peer", "proposed", "reviewee"), ("Rina Wulandari", "peer", "proposed", "reviewee"),
        ("Eko Prasetyo", "peer", "proposed", "reviewee"), ("Dewi Lestari", "self", "proposed", "reviewee")}
    assert (body["nominated"], body["approved"]) == (4, 0)


def test_proposing_fewer_than_three_peers_is_refused(team: Team) -> None:
    rid = team.opened()

    problem = problem_of(team.nominate(rid, "dewi", ("peer1", "peer"), ("peer2", "peer")), 422)

    assert "at least 3 peers" in " ".join(problem["errors"]["nominations"])
    assert team.call("GET", f"/api/feedback-rounds/{rid}").get_json()["nominations"] == []


def test_hr_proposes_too_but_only_the_supervisor_or_hr_decides(team: Team) -> None:
    rid = team.opened()
    team.nominated(rid, "hr_admin", ("peer1", "peer"), ("peer2", "peer"), ("peer3", "peer"))
    n1, n2 = (team.nomination_of(rid, p)["id"] for p in ("peer1", "peer2"))
    assert team.nomination_of(rid, "peer1")["proposed_by"] == "hr"

    assert team.call("POST", f"/api/feedback-rounds/{rid}/nominations/{n1}/approval", "dewi").status_code == 403
    assert team.call("POST", f"/api/feedback-rounds/{rid}/nominations/{n1}/approval", "peer3").status_code == 403
    assert team.call("POST", f"/api/feedback-rounds/{rid}/nominations/{n1}/approval", "siti").status_code == 200
    rejected = team.call("POST", f"/api/feedback-rounds/{rid}/nominations/{n2}/rejection", "siti",
                         {"reason": "bekerja di proyek yang sama hanya satu bulan"})

    assert rejected.status_code == 200
    statuses = {n["reviewer_id"]: (n["status"], n["reason"]) for n in rejected.get_json()["nominations"]}
    assert statuses[str(team.ids["peer1"])] == ("approved", None)
    assert statuses[str(team.ids["peer2"])] == ("rejected", "bekerja di proyek yang sama hanya satu bulan")
    assert statuses[str(team.ids["peer3"])] == ("proposed", None)


def test_a_decision_needs_a_reason_for_rejection_and_a_proposed_nomination_for_approval(team: Team) -> None:
    rid = team.ready_round()
    approved = team.nomination_of(rid, "peer1")["id"]

    assert "reason" in problem_of(team.call("POST", f"/api/feedback-rounds/{rid}/nominations/{approved}/rejection",
                                            "siti", {}), 422)["errors"]
    problem_of(team.call("POST", f"/api/feedback-rounds/{rid}/nominations/{approved}/approval", "siti"), 409)


def test_the_supervisor_adds_reviewers_directly_already_approved(team: Team) -> None:
    rid = team.opened()

    body = team.nominated(rid, "siti", ("peer4", "peer"), ("siti", "supervisor"))

    assert {(n["relationship"], n["status"], n["proposed_by"]) for n in body["nominations"]} == {
        ("peer", "approved", "supervisor"), ("supervisor", "approved", "supervisor")}
    assert all(n["decided_at"] is not None for n in body["nominations"])


def test_a_reviewer_declines_with_a_reason_and_the_request_disappears(team: Team) -> None:
    rid = team.ready_round()
    nid = team.nomination_of(rid, "peer2")["id"]
    path = f"/api/feedback-rounds/{rid}/nominations/{nid}/declination"

    assert "reason" in problem_of(team.call("POST", path, "peer2", {"reason": ""}), 422)["errors"]
    assert "nominated reviewer" in problem_of(team.call("POST", path, "peer1", {"reason": "saya tidak kenal"}),
                                              403)["detail"]
    response = team.call("POST", path, "peer2", {"reason": "baru dua minggu di unit ini"})

    assert response.status_code == 200
    assert response.get_json() == []
    assert (team.nomination_of(rid, "peer2")["status"], team.nomination_of(rid, "peer2")["reason"]) == (
        "declined", "baru dua minggu di unit ini")
    assert "reviewer" in problem_of(team.respond(rid, "peer2"), 422)["errors"]


def test_a_subordinate_reviewer_must_report_to_the_reviewee(team: Team) -> None:
    rid = team.opened()

    problem = problem_of(team.nominate(rid, "siti", ("andi", "subordinate")), 422)

    assert problem["errors"]["nominations[0]"] == ["a subordinate reviewer must report to the reviewee"]


@pytest.mark.parametrize(("person", "message"), [
    ("dewi", "the reviewee cannot be their own peer reviewer"),
    ("siti", "the reviewee's supervisor reviews as supervisor, not as peer"),
])
def test_the_reviewee_and_their_supervisor_are_not_peers(team: Team, person: str, message: str) -> None:
    rid = team.opened()

    problem = problem_of(team.nominate(rid, "dewi", (person, "peer"), ("peer1", "peer"), ("peer2", "peer")), 422)

    assert problem["errors"]["nominations[0]"] == [message]


def test_a_supervisors_list_of_additions_is_all_or_nothing(team: Team) -> None:
    rid = team.opened()

    problem = problem_of(team.nominate(rid, "siti", ("peer1", "peer"), ("dewi", "peer")), 422)

    assert team.call("GET", f"/api/feedback-rounds/{rid}").get_json()["nominations"] == []
    assert set(problem["errors"]) == {"nominations[1]"}


def test_a_stale_if_match_on_nominations_is_refused_with_412(team: Team) -> None:
    rid = team.opened()
    team.nominated(rid, "siti", ("siti", "supervisor"))

    response = team.nominate(rid, "siti", ("peer1", "peer"), **{"If-Match": '"1"'})

    assert response.status_code == 412
    assert response.get_json()["current_version"] == 2


# --- submissions -------------------------------------------------------------------------------------------------


def test_an_approved_nominee_submits_and_reads_back_their_own_response(team: Team) -> None:
    rid = team.ready_round()

    response = team.respond(rid, "peer1", ratings(5, akuntabel=3), {"strengths": "Sangat teliti"})

    assert response.status_code == 201
    body = response.get_json()
    assert body["round_id"] == rid and body["supersedes"] is None and body["submitted_at"]
    mine = team.call("GET", f"/api/feedback-rounds/{rid}/responses/mine", "peer1").get_json()
    assert (mine["response_id"], mine["relationship"], mine["ratings"]["akuntabel"], mine["comments"]) == (
        body["response_id"], "peer", 3, {"strengths": "Sangat teliti"})
    assert team.call("GET", f"/api/feedback-rounds/{rid}/responses/mine", "peer2").status_code == 404


@pytest.mark.parametrize("who", ["andi", "peer4"])
def test_someone_not_approved_in_the_round_cannot_submit(team: Team, who: str) -> None:
    rid = team.ready_round()
    team.nominated(rid, "dewi", ("peer4", "peer"))  # proposed, not yet approved
    head = team.head()

    problem = problem_of(team.respond(rid, who), 422)

    assert "reviewer" in problem["errors"]
    assert team.head() == head


def test_nothing_is_accepted_after_closing(team: Team) -> None:
    rid = team.ready_round()
    assert team.close(rid).status_code == 200

    assert "round" in problem_of(team.respond(rid, "peer1"), 409)["errors"]
    problem_of(team.nominate(rid, "siti", ("peer4", "peer")), 409)
    problem_of(team.close(rid), 409)


@pytest.mark.parametrize("value", [0, 6, -1, 3.5, "4", True])
def test_a_rating_off_the_scale_is_refused_naming_the_question(team: Team, value: Any) -> None:
    rid = team.ready_round()

    problem = problem_of(team.respond(rid, "peer1", ratings(4, harmonis=value)), 422)

    assert set(problem["errors"]) == {"ratings.harmonis"}
    assert problem["errors"]["ratings.harmonis"] == ["must be a whole number from 1 to 5"]


def test_missing_required_answers_are_named(team: Team) -> None:
    rid = team.ready_round()
    answers = ratings(4, loyal=None)
    del answers["adaptif"]

    problem = problem_of(team.respond(rid, "peer1", answers), 422)

    assert set(problem["errors"]) == {"ratings.loyal", "ratings.adaptif"}
    assert "ratings.adaptif" in problem["detail"] and "ratings.loyal" in problem["detail"]


def test_unknown_questions_are_named(team: Team) -> None:
    rid = team.ready_round()

    problem = problem_of(team.respond(rid, "peer1", ratings(4, jujur=4), {"hobby": "catur"}), 422)

    assert set(problem["errors"]) == {"ratings.jujur", "comments.hobby"}


def test_a_resubmission_supersedes_the_earlier_response(team: Team) -> None:
    rid = team.ready_round()
    first = team.responded(rid, "siti", ratings(2))

    second = team.responded(rid, "siti", ratings(5))

    assert second["supersedes"] == first["response_id"]
    assert team.call("GET", f"/api/feedback-rounds/{rid}/responses/mine", "siti").get_json()["ratings"] == ratings(5)
    assert team.close(rid).status_code == 200
    report = team.report(rid).get_json()
    assert report["categories"]["supervisor"]["count"] == 1
    assert {q["by_category"]["supervisor"]["mean"] for q in report["questions"]} == {5.0}
    submitted = topics(team.events(rid), "FeedbackRound.ResponseSubmitted")
    assert [e["payload"]["response_id"] for e in submitted] == [first["response_id"], second["response_id"]]
    assert submitted[1]["payload"]["supersedes"] == first["response_id"]


def test_a_retry_with_the_same_idempotency_key_returns_the_same_response_and_records_nothing(team: Team) -> None:
    rid = team.ready_round()
    first = team.respond(rid, "peer1", ratings(4), key="k1")
    head = team.head()

    retry = team.respond(rid, "peer1", ratings(4), key="k1")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.get_json()["response_id"] == first.get_json()["response_id"]
    assert team.head() == head
    assert len(topics(team.events(rid), "ResponseSubmitted")) == 1
    another = team.respond(rid, "peer1", ratings(3), key="k2").get_json()
    assert another["supersedes"] == first.get_json()["response_id"]


def test_the_same_idempotency_key_with_a_different_body_is_422_naming_the_key(team: Team) -> None:
    rid = team.ready_round()
    first = team.respond(rid, "peer1", ratings(4), comments={"strengths": "teliti"}, key="k1")
    head = team.head()

    changed = team.respond(rid, "peer1", ratings(4, integrity=2), comments={"strengths": "teliti"}, key="k1")
    same = team.respond(rid, "peer1", ratings(4), comments={"strengths": " teliti "}, key="k1")

    assert "Idempotency-Key" in problem_of(changed, 422)["errors"]
    assert same.status_code == 201 and same.get_json()["response_id"] == first.get_json()["response_id"]
    assert team.head() == head


def test_concurrent_requests_with_the_same_idempotency_key_give_one_result(team: Team) -> None:
    rid = team.ready_round()
    start = threading.Barrier(6)
    results: list[Any] = []

    def send() -> None:
        client = team.api.app.test_client()
        start.wait()
        response = client.post(f"/api/feedback-rounds/{rid}/responses", json={"ratings": ratings(4), "comments": {}},
                               headers=team.api.headers(None, **{"Authorization": f"Bearer {team.tokens['peer1']}",
                                                                 "Idempotency-Key": "same-key"}))
        results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [status for status, _ in results] == [201] * 6, results
    assert len({body["response_id"] for _, body in results}) == 1
    assert len(topics(team.events(rid), "ResponseSubmitted")) == 1


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_an_empty_or_overlong_idempotency_key_is_refused(team: Team, key: str) -> None:
    rid = team.ready_round()

    assert "Idempotency-Key" in problem_of(team.respond(rid, "peer1", key=key), 400)["errors"]


# --- the report ----------------------------------------------------------------------------------------------------


def test_the_report_exists_only_after_closing(team: Team) -> None:
    rid = team.ready_round()
    team.responded(rid, "siti")

    for who in ("hr_admin", "dewi", "siti"):
        problem_of(team.report(rid, who), 409)
    assert team.close(rid, "siti").status_code == 200
    assert team.report(rid).get_json()["closed"] is True


@pytest.mark.parametrize(("who", "status"), [("dewi", 200), ("siti", 200), ("hr_admin", 200), ("andi", 403),
                                             ("peer1", 403), ("committee", 403)])
def test_the_report_is_for_the_reviewee_their_supervisor_and_hr(team: Team, who: str, status: int) -> None:
    rid = team.ready_round()
    team.responded(rid, "peer1")
    team.close(rid)

    response = team.report(rid, who)

    assert response.status_code == status
    if status == 200:
        assert response.get_json()["round_id"] == rid


def answered_round(team: Team, peers_answering: int) -> str:
    """Self 3, supervisor 5 and some peers 1 everywhere, each with a comment; closed."""
    rid = team.ready_round(PEERS[:3])
    team.responded(rid, "dewi", ratings(3), {"strengths": "tepat waktu"})
    team.responded(rid, "siti", ratings(5), {"to_develop": "delegasi"})
    for i, peer in enumerate(PEERS[:peers_answering]):
        team.responded(rid, peer, ratings(1), {"strengths": f"rahasia rekan {i}"})
    assert team.close(rid).status_code == 200
    return rid


def test_with_two_peer_responses_the_peer_category_is_withheld(team: Team) -> None:
    report = team.report(answered_round(team, 2), "dewi").get_json()

    assert report["threshold"] == 3
    assert report["categories"]["peer"] == {
        "shown": False, "withheld": True,
        "reason": "fewer than 3 responses; withheld to protect reviewers' anonymity"}
    assert all(q["by_category"]["peer"] == {"withheld": True} for q in report["questions"])


def test_with_three_peer_responses_the_peer_category_is_shown(team: Team) -> None:
    report = team.report(answered_round(team, 3), "dewi").get_json()

    assert report["categories"]["peer"] == {"shown": True, "withheld": False, "count": 3}
    assert all(q["by_category"]["peer"] == {"count": 3, "mean": 1.0, "min": 1, "max": 1}
               for q in report["questions"])
    assert all(q["others"] == {"count": 4, "mean": 2.0, "min": 1, "max": 5} for q in report["questions"])
    assert report["overall_others_mean"] == 2.0


def test_no_figure_exposes_a_withheld_category_by_difference(team: Team) -> None:
    rid = answered_round(team, 2)
    report = team.report(rid, "dewi").get_json()

    # "others" is the supervisor alone: the two peers' 1s are in no mean, count, minimum or gap
    assert all(q["others"] == {"count": 1, "mean": 5.0, "min": 5, "max": 5} for q in report["questions"])
    assert all(q["self_vs_others_gap"] == -2.0 for q in report["questions"])
    assert report["overall_others_mean"] == 5.0
    assert "count" not in report["categories"]["peer"]
    assert report["comments"]["anonymous"] == []
    assert "rahasia rekan" not in json.dumps(report)
    unit = team.call("GET", q("/api/units/BKPSDM/feedback-report", period=PERIOD)).get_json()
    assert {v["question_id"]: v["mean_of_means"] for v in unit["values"]} == dict.fromkeys(RATING_IDS, 5.0)


def test_peer_comments_are_anonymous_and_not_in_submission_order(team: Team) -> None:
    rid = team.ready_round()
    team.responded(rid, "siti", comments={"to_develop": "delegasi"})
    for peer, text in (("peer1", "Zaman berubah, dia ikut"), ("peer2", "antusias"), ("peer3", "Beta tester andal")):
        team.responded(rid, peer, comments={"strengths": text})
    team.close(rid)

    comments = team.report(rid, "dewi").get_json()["comments"]

    assert comments["anonymous"] == [{"question": "strengths", "text": "antusias"},
                                     {"question": "strengths", "text": "Beta tester andal"},
                                     {"question": "strengths", "text": "Zaman berubah, dia ikut"}]
    assert comments["supervisor"] == [{"question": "to_develop", "text": "delegasi",
                                       "reviewer_id": str(team.ids["siti"])}]


# --- review requests, the reviewee's view, reminders, closing by date -------------------------------------------


def test_review_requests_show_pending_then_done_with_the_questions_and_closing_date(team: Team) -> None:
    rid = team.ready_round()

    pending = team.call("GET", "/api/me/review-requests", "peer1").get_json()

    assert len(pending) == 1
    request = pending[0]
    assert (request["round_id"], request["reviewee_name"], request["relationship"], request["state"]) == (
        rid, "Dewi Lestari", "peer", "pending")
    assert (request["period"], request["closes_on"], request["responded_at"]) == (PERIOD, CLOSES.isoformat(), None)
    questions = request["questions"]
    assert [q["id"] for q in questions["items"] if q["kind"] == "rating"] == RATING_IDS
    assert len(RATING_IDS) == 7
    assert questions["scale"] == {"min": 1, "max": 5}
    assert sorted(questions["anchors"]) == ["1", "2", "3", "4", "5"]

    team.responded(rid, "peer1")
    done = team.call("GET", "/api/me/review-requests", "peer1").get_json()

    assert [(r["round_id"], r["state"]) for r in done] == [(rid, "done")]
    assert done[0]["responded_at"] is not None
    assert team.call("GET", "/api/me/review-requests", "andi").get_json() == []


def test_a_proposed_nomination_is_not_yet_a_review_request(team: Team) -> None:
    rid = team.opened()
    team.nominated(rid, "dewi", ("peer1", "peer"), ("peer2", "peer"), ("peer3", "peer"))

    assert team.call("GET", "/api/me/review-requests", "peer1").get_json() == []


def test_a_request_is_no_longer_pending_once_the_closing_date_has_passed(team: Team) -> None:
    rid = team.ready_round()
    team.api.jejak.feedback.today = lambda: CLOSES + timedelta(days=1)

    states = [r["state"] for r in team.call("GET", "/api/me/review-requests", "peer1").get_json()]

    assert team.respond(rid, "peer1").status_code == 409
    assert states == ["closed"]


def test_the_reviewee_does_not_see_who_has_responded(team: Team) -> None:
    rid = team.ready_round()
    team.responded(rid, "peer1")
    path = f"/api/feedback-rounds/{rid}"

    as_reviewee = team.call("GET", path, "dewi").get_json()["nominations"]
    as_supervisor = team.call("GET", path, "siti").get_json()["nominations"]
    as_hr = team.call("GET", path, "hr_admin").get_json()["nominations"]

    assert len(as_reviewee) == 5 and all(n["responded_at"] is None for n in as_reviewee)
    peer1 = str(team.ids["peer1"])
    for view in (as_supervisor, as_hr):
        assert {n["reviewer_id"] for n in view if n["responded_at"] is not None} == {peer1}


def later(days: float) -> type[datetime]:
    """A datetime class whose now() is that many days ahead (the reminders route asks datetime.now)."""

    class Later(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime.now(tz) + timedelta(days=days)

    return Later


def test_reminders_list_approved_reviewers_silent_for_three_days(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    rid = team.ready_round()
    team.nominated(rid, "dewi", ("peer4", "peer"))  # proposed only: nobody was asked yet
    team.responded(rid, "peer1")
    team.responded(rid, "dewi")

    assert team.call("GET", "/api/feedback-reminders").get_json() == []
    monkeypatch.setattr(feedback_routes, "datetime", later(3.01))
    due = team.call("GET", "/api/feedback-reminders").get_json()

    assert {(r["reviewer_name"], r["relationship"]) for r in due} == {
        ("Siti Rahmawati", "supervisor"), ("Rina Wulandari", "peer"), ("Eko Prasetyo", "peer")}
    assert {r["round_id"] for r in due} == {rid} and all(r["reminders"] == 0 for r in due)
    view_due = team.api.jejak.feedback_view.reminders_due(datetime.now(UTC) + timedelta(days=3, minutes=1))
    assert {r["reviewer_id"] for r in view_due} == {team.ids[p] for p in ("siti", "peer2", "peer3")}


def test_no_reminders_once_the_closing_date_has_passed(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    team.ready_round()
    monkeypatch.setattr(feedback_routes, "datetime", later((CLOSES - TODAY).days + 2))

    assert team.call("GET", "/api/feedback-reminders").get_json() == []


def test_a_round_closes_itself_when_read_after_its_closing_date(team: Team) -> None:
    rid = team.ready_round()
    team.responded(rid, "siti")
    team.api.jejak.feedback.today = lambda: CLOSES + timedelta(days=1)

    body = team.call("GET", f"/api/feedback-rounds/{rid}", "dewi").get_json()

    assert (body["status"], body["closed_automatically"]) == ("closed", True)
    closed = topics(team.events(rid), "FeedbackRound.Closed")
    assert len(closed) == 1
    assert closed[0]["actor"]["role"] == "system"
    assert closed[0]["reason"] == f"closing date {CLOSES.isoformat()} passed"
    assert team.report(rid, "dewi").status_code == 200
    problem_of(team.respond(rid, "peer1"), 409)


def test_reading_an_open_round_reads_its_row_once(team: Team) -> None:
    from tests.infrastructure.query_plans import captured

    rid = team.ready_round()
    with captured(team.api.jejak.engine) as seen:
        body = team.call("GET", f"/api/feedback-rounds/{rid}", "dewi").get_json()

    assert body["status"] == "open"
    assert len([s for s, _ in seen if "FROM feedback_rounds" in s]) == 1  # the closing date checked on that read


def test_a_round_is_open_through_its_closing_date(team: Team) -> None:
    rid = team.ready_round()
    team.api.jejak.feedback.today = lambda: CLOSES

    assert team.call("GET", f"/api/feedback-rounds/{rid}").get_json()["status"] == "open"
    assert team.respond(rid, "peer1").status_code == 201


def test_a_closed_round_counts_in_the_units_report(team: Team) -> None:
    rid = answered_round(team, 3)

    unit = team.call("GET", q("/api/units/BKPSDM/feedback-report", period=PERIOD)).get_json()

    assert [r["id"] for r in unit["rounds"]] == [rid]
    assert unit["rounds"][0]["response_rate"] == 1.0
    assert {v["question_id"]: v["mean_of_means"] for v in unit["values"]} == dict.fromkeys(RATING_IDS, 2.0)
    assert team.call("GET", "/api/units/NOPE/feedback-report").status_code == 404


def test_a_former_supervisors_write_is_either_refused_or_reported_as_done(team: Team) -> None:
    rid = team.ready_round()
    moved = team.call("POST", f"/api/employees/{team.ids['dewi']}/supervisor-changes",
                      json={"supervisor_id": str(team.ids["andi"]), "effective": TODAY.isoformat(),
                            "reason": "mutasi atasan"})
    assert moved.status_code == 200
    head = team.head()

    response = team.close(rid, "siti")

    assert (response.status_code < 300) == (team.head() != head), response.get_data(as_text=True)


# --- audit ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [{}, {"reason": ""}, {"reason": "   "}])
def test_reading_raw_responses_requires_a_reason(team: Team, params: dict[str, str]) -> None:
    rid = team.ready_round()
    head = team.head()

    problem = problem_of(team.call("GET", q(f"/api/audit/feedback-rounds/{rid}/responses", **params), "auditor"),
                         422)

    assert "reason" in problem["errors"]
    assert team.head() == head


def test_a_raw_read_is_recorded_with_who_and_why(team: Team) -> None:
    rid = team.ready_round()
    team.responded(rid, "peer1", ratings(2))
    path = q(f"/api/audit/feedback-rounds/{rid}/responses", reason="pemeriksaan keberatan", case_id="K-2026-07")

    raw = team.call("GET", path, "auditor").get_json()

    assert [(r["reviewer_id"], r["relationship"], r["ratings"]["loyal"]) for r in raw] == [
        (str(team.ids["peer1"]), "peer", 2)]
    reads = team.call("GET", q("/api/audit/events", topic="SensitiveRead.Recorded"), "auditor").get_json()["items"]
    assert len(reads) == 1
    read = reads[0]
    assert (read["actor"]["role"], read["actor"]["name"], read["reason"]) == (
        "auditor", "Inspektorat", "pemeriksaan keberatan")
    assert read["payload"]["subject_id"] == rid and read["payload"]["case_id"] == "K-2026-07"
    assert read["payload"]["subject"] == "feedback_round.responses"


def test_an_auditors_report_as_of_a_moment_shows_the_answer_given_then(team: Team) -> None:
    rid = team.ready_round()
    team.responded(rid, "siti", ratings(2))
    first_at = topics(team.events(rid), "ResponseSubmitted")[0]["timestamp"]
    team.responded(rid, "siti", ratings(5))

    then = team.report(rid, "auditor", at=first_at).get_json()
    now = team.report(rid, "auditor").get_json()

    assert {q["by_category"]["supervisor"]["mean"] for q in then["questions"]} == {2.0}
    assert {q["by_category"]["supervisor"]["mean"] for q in now["questions"]} == {5.0}
    assert then["closed"] is False and then["as_of_version"] < now["as_of_version"]
    problem_of(team.report(rid, "hr_admin", at=first_at), 403)


def test_raw_responses_never_leave_the_audit_log_without_a_recorded_read(team: Team) -> None:
    rid = team.ready_round()
    team.responded(rid, "peer1", ratings(2), {"strengths": "rahasia"})

    history = team.events(rid)

    exposed = [e for e in topics(history, "ResponseSubmitted") if "ratings" in e["payload"]]
    reads = team.call("GET", q("/api/audit/events", topic="SensitiveRead.Recorded"), "auditor").get_json()["items"]
    assert not exposed or reads


def test_a_submission_after_the_closing_date_closes_the_round_and_is_refused(team: Team) -> None:
    rid = team.ready_round()
    team.api.jejak.feedback.today = lambda: CLOSES + timedelta(days=1)

    problem_of(team.respond(rid, "peer1"), 409)

    closed = topics(team.events(rid), "FeedbackRound.Closed")
    assert len(closed) == 1
    assert closed[0]["actor"]["role"] == "system"
    assert closed[0]["reason"] == f"closing date {CLOSES.isoformat()} passed"
    assert topics(team.events(rid), "FeedbackRound.ResponseSubmitted") == []
    assert team.call("GET", f"/api/feedback-rounds/{rid}").get_json()["closed_automatically"] is True


def test_nominating_after_the_closing_date_closes_the_round_and_is_refused(team: Team) -> None:
    rid = team.ready_round()
    team.api.jejak.feedback.today = lambda: CLOSES + timedelta(days=1)

    answer = team.call("POST", f"/api/feedback-rounds/{rid}/nominations", "dewi",
                       {"nominations": [{"reviewer_id": str(team.ids["peer4"]), "relationship": "peer"}]})

    problem_of(answer, 409)
    assert len(topics(team.events(rid), "FeedbackRound.Closed")) == 1

"""FeedbackRound aggregate: opening, nominations, submissions, reminders and closing of a 360 round."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.question_book import default_questions
from domain.errors import DomainError, StateConflict
from domain.feedback_round import (
    AnswersInvalid,
    Candidate,
    ClosingDateInPast,
    FeedbackRound,
    IdempotencyKeyReused,
    InvalidPeriod,
    NominationInvalid,
    NominationStateConflict,
    NotANominee,
    RoundClosed,
    UnknownNomination,
)
from domain.question_book import QuestionBook, QuestionSet

TODAY = date(2026, 6, 1)
CLOSES = date(2026, 6, 30)
AFTER_CLOSING = CLOSES + timedelta(days=1)
RULES = {"anonymity_threshold": 3, "min_peers": 3, "max_peers": 8}


def question_set() -> QuestionSet:
    content = default_questions()
    return QuestionBook.start().publish(content.pop("title"), content)


QS = question_set()
RATING_IDS = QS.rating_ids()


def answers(value: Any = 4, **overrides: Any) -> dict[str, Any]:
    """A rating for every BerAKHLAK question (``value``), with some changed."""
    ratings: dict[str, Any] = {qid: value for qid in RATING_IDS}
    ratings.update(overrides)
    return ratings


@dataclass
class Team:
    """A supervisor S, a reviewee R reporting to S, peers reporting to S, subordinates reporting to R."""

    supervisor: UUID = field(default_factory=uuid4)
    reviewee: UUID = field(default_factory=uuid4)
    peers: list[UUID] = field(default_factory=lambda: [uuid4() for _ in range(9)])
    subordinates: list[UUID] = field(default_factory=lambda: [uuid4() for _ in range(3)])
    outsider: UUID = field(default_factory=uuid4)

    def self_(self) -> Candidate:
        return Candidate(self.reviewee, "self", self.supervisor)

    def boss(self) -> Candidate:
        return Candidate(self.supervisor, "supervisor", None)

    def peer(self, i: int) -> Candidate:
        return Candidate(self.peers[i], "peer", self.supervisor)

    def sub(self, i: int) -> Candidate:
        return Candidate(self.subordinates[i], "subordinate", self.reviewee)


def open_round(team: Team, **overrides: Any) -> FeedbackRound:
    values: dict[str, Any] = dict(reviewee_id=team.reviewee, supervisor_id=team.supervisor, unit="BKPSDM",
                                  period="2026", questions=QS, closes_on=CLOSES, rule_set_version=1,
                                  feedback_rules=RULES, today=TODAY)
    values.update(overrides)
    return FeedbackRound.open(**values)


def staffed_round(team: Team, peers: int = 3, subordinates: int = 0) -> tuple[FeedbackRound, dict[UUID, UUID]]:
    """A round with self, supervisor, peers and subordinates proposed by the reviewee and all approved."""
    fb = open_round(team)
    candidates = [team.self_(), team.boss()] + [team.peer(i) for i in range(peers)] + \
        [team.sub(i) for i in range(subordinates)]
    ids = fb.propose(candidates, "reviewee", TODAY)
    for nomination_id in ids:
        fb.approve(nomination_id, TODAY)
    return fb, {c.reviewer_id: n for c, n in zip(candidates, ids, strict=True)}


def event_names(fb: FeedbackRound) -> list[str]:
    return [type(e).__name__ for e in fb.collect_events()]


# --- opening -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["2026", "2026-Q1", "2026-Q3", "2026-Q4"])
def test_a_round_is_opened_for_a_year_or_a_quarter(period: str) -> None:
    fb = open_round(Team(), period=period)
    assert fb.period == period and fb.is_open and fb.version == 1


@pytest.mark.parametrize("period", ["", "26", "202", "20266", "2026-Q5", "2026-Q0", "2026Q3", "2026-q3", "2026-03",
                                    "Q3-2026", " 2026", "2026 ", "2026-Q3-Q4"])
def test_a_period_that_is_neither_a_year_nor_a_quarter_is_refused(period: str) -> None:
    with pytest.raises(InvalidPeriod) as refused:
        open_round(Team(), period=period)
    assert refused.value.field == "period"


@pytest.mark.parametrize("period", ["2026\n", "2026-Q3\n"])
def test_a_period_with_a_trailing_newline_is_refused(period: str) -> None:
    with pytest.raises(InvalidPeriod):
        open_round(Team(), period=period)


def test_a_round_may_close_today_but_not_in_the_past() -> None:
    assert open_round(Team(), closes_on=TODAY).closes_on == TODAY
    with pytest.raises(ClosingDateInPast):
        open_round(Team(), closes_on=TODAY - timedelta(days=1))


def test_a_round_pins_its_question_set_version_and_content() -> None:
    fb = open_round(Team())
    assert fb.question_set["version"] == 1
    assert fb.questions() == QS
    assert fb.questions().rating_ids() == ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal",
                                           "adaptif", "kolaboratif"]
    assert fb.questions().text_ids() == ["strengths", "to_develop"]


def test_a_round_pins_the_rule_set_version_and_its_feedback_rules() -> None:
    fb = open_round(Team(), rule_set_version=4,
                    feedback_rules={"anonymity_threshold": 5, "min_peers": 4, "max_peers": 6})
    assert (fb.rule_set_version, fb.anonymity_threshold, fb.min_peers, fb.max_peers) == (4, 5, 4, 6)
    opened = fb.collect_events()[0]
    assert isinstance(opened, FeedbackRound.Opened)
    assert (opened.anonymity_threshold, opened.min_peers, opened.max_peers) == (5, 4, 6)


def test_the_pinned_rules_govern_the_round() -> None:
    team = Team()
    fb = open_round(team, feedback_rules={"anonymity_threshold": 3, "min_peers": 4, "max_peers": 4})
    with pytest.raises(NominationInvalid):
        fb.propose([team.peer(i) for i in range(3)], "reviewee", TODAY)
    with pytest.raises(NominationInvalid):
        fb.propose([team.peer(i) for i in range(5)], "reviewee", TODAY)
    assert len(fb.propose([team.peer(i) for i in range(4)], "reviewee", TODAY)) == 4


# --- nominations ---------------------------------------------------------------------------------------------


def test_the_reviewee_proposes_self_supervisor_peers_and_subordinates() -> None:
    team = Team()
    fb = open_round(team)
    ids = fb.propose([team.self_(), team.boss(), team.peer(0), team.peer(1), team.peer(2), team.sub(0)],
                     "reviewee", TODAY)
    assert [(fb.nominations[i].relationship, fb.nominations[i].status, fb.nominations[i].proposed_by)
            for i in ids] == [("self", "proposed", "reviewee"), ("supervisor", "proposed", "reviewee")] + \
        [("peer", "proposed", "reviewee")] * 3 + [("subordinate", "proposed", "reviewee")]
    assert event_names(fb) == ["Opened"] + ["NominationProposed"] * 6


def test_hr_may_propose_reviewers() -> None:
    team = Team()
    fb = open_round(team)
    [nomination_id] = fb.propose([team.sub(0)], "hr", TODAY)
    assert fb.nominations[nomination_id].proposed_by == "hr"


def test_the_supervisor_approves_a_proposed_reviewer() -> None:
    team = Team()
    fb = open_round(team)
    [nomination_id] = fb.propose([team.self_()], "reviewee", TODAY)
    fb.approve(nomination_id, TODAY)
    assert fb.nominations[nomination_id].status == "approved"
    assert event_names(fb)[-1] == "NominationApproved"


def test_only_a_proposed_nomination_can_be_approved() -> None:
    team = Team()
    fb = open_round(team)
    [nomination_id] = fb.propose([team.self_()], "reviewee", TODAY)
    fb.approve(nomination_id, TODAY)
    with pytest.raises(NominationStateConflict):
        fb.approve(nomination_id, TODAY)


def test_a_rejected_nomination_cannot_be_approved() -> None:
    team = Team()
    fb = open_round(team)
    [nomination_id] = fb.propose([team.self_()], "reviewee", TODAY)
    fb.reject(nomination_id, "tidak relevan", TODAY)
    with pytest.raises(NominationStateConflict):
        fb.approve(nomination_id, TODAY)


def test_a_nomination_of_another_round_is_unknown() -> None:
    fb = open_round(Team())
    with pytest.raises(UnknownNomination):
        fb.approve(uuid4(), TODAY)


def test_the_supervisor_rejects_a_pending_reviewer_with_a_reason() -> None:
    team = Team()
    fb = open_round(team)
    [nomination_id] = fb.propose([team.sub(0)], "reviewee", TODAY)
    fb.reject(nomination_id, "  baru bergabung bulan ini  ", TODAY)
    nomination = fb.nominations[nomination_id]
    assert (nomination.status, nomination.reason) == ("rejected", "baru bergabung bulan ini")


def test_an_approved_reviewer_who_has_not_responded_may_still_be_rejected() -> None:
    team = Team()
    fb, ids = staffed_round(team)
    fb.reject(ids[team.peers[0]], "konflik kepentingan", TODAY)
    assert fb.nominations[ids[team.peers[0]]].status == "rejected"


def test_a_rejection_needs_a_reason() -> None:
    team = Team()
    fb = open_round(team)
    [nomination_id] = fb.propose([team.sub(0)], "reviewee", TODAY)
    with pytest.raises(DomainError) as refused:
        fb.reject(nomination_id, "   ", TODAY)
    assert refused.value.field == "reason"
    assert fb.nominations[nomination_id].status == "proposed"


def test_a_reviewer_who_has_responded_cannot_be_rejected() -> None:
    team = Team()
    fb, ids = staffed_round(team)
    fb.submit(team.peers[0], answers(), {}, TODAY)
    with pytest.raises(NominationStateConflict):
        fb.reject(ids[team.peers[0]], "terlambat", TODAY)


def test_the_supervisor_adds_a_reviewer_who_is_approved_at_once() -> None:
    team = Team()
    fb = open_round(team)
    [nomination_id] = fb.add([team.peer(0)], TODAY)
    nomination = fb.nominations[nomination_id]
    assert (nomination.status, nomination.proposed_by, nomination.relationship) == ("approved", "supervisor", "peer")
    assert event_names(fb) == ["Opened", "NominationAdded"]


def test_an_added_reviewer_must_fit_the_relationship_rules() -> None:
    team = Team()
    fb = open_round(team)
    with pytest.raises(NominationInvalid):
        fb.add([Candidate(team.reviewee, "peer", team.supervisor)], TODAY)
    with pytest.raises(NominationInvalid):
        fb.add([Candidate(team.outsider, "subordinate", team.supervisor)], TODAY)


def test_the_supervisor_cannot_add_a_peer_beyond_the_maximum() -> None:
    team = Team()
    fb = open_round(team)
    fb.propose([team.peer(i) for i in range(8)], "reviewee", TODAY)
    with pytest.raises(NominationInvalid) as refused:
        fb.add([team.peer(8)], TODAY)
    assert "at most 8 peers (would have 9)" in refused.value.errors["nominations"]


def test_the_reviewer_declines_with_a_reason() -> None:
    team = Team()
    fb, ids = staffed_round(team)
    fb.decline(ids[team.peers[1]], team.peers[1], "cuti besar sampai akhir periode", TODAY)
    nomination = fb.nominations[ids[team.peers[1]]]
    assert (nomination.status, nomination.reason) == ("declined", "cuti besar sampai akhir periode")


def test_a_proposed_reviewer_may_decline_before_approval() -> None:
    team = Team()
    fb = open_round(team)
    [nomination_id] = fb.propose([team.sub(0)], "reviewee", TODAY)
    fb.decline(nomination_id, team.subordinates[0], "tidak cukup mengenal", TODAY)
    assert fb.nominations[nomination_id].status == "declined"


def test_only_the_nominated_reviewer_can_decline() -> None:
    team = Team()
    fb, ids = staffed_round(team)
    with pytest.raises(NotANominee):
        fb.decline(ids[team.peers[1]], team.reviewee, "saya tidak mau dia menilai", TODAY)
    assert fb.nominations[ids[team.peers[1]]].status == "approved"


def test_a_decline_needs_a_reason() -> None:
    team = Team()
    fb, ids = staffed_round(team)
    with pytest.raises(DomainError):
        fb.decline(ids[team.peers[1]], team.peers[1], "", TODAY)


def test_a_reviewer_who_has_responded_cannot_decline() -> None:
    team = Team()
    fb, ids = staffed_round(team)
    fb.submit(team.peers[1], answers(), {}, TODAY)
    with pytest.raises(NominationStateConflict):
        fb.decline(ids[team.peers[1]], team.peers[1], "berubah pikiran", TODAY)


def test_a_declined_reviewer_cannot_decline_again() -> None:
    team = Team()
    fb, ids = staffed_round(team)
    fb.decline(ids[team.peers[1]], team.peers[1], "cuti", TODAY)
    with pytest.raises(NominationStateConflict):
        fb.decline(ids[team.peers[1]], team.peers[1], "cuti", TODAY)


@pytest.mark.parametrize("relationship", ["peer", "subordinate", "supervisor"])
def test_the_reviewee_can_never_review_themselves_as_anything_but_self(relationship: str) -> None:
    team = Team()
    fb = open_round(team)
    candidates = [Candidate(team.reviewee, relationship, team.supervisor)]
    if relationship == "peer":
        candidates += [team.peer(0), team.peer(1)]
    with pytest.raises(NominationInvalid) as refused:
        fb.propose(candidates, "reviewee", TODAY)
    assert refused.value.errors["nominations[0]"] == [f"the reviewee cannot be their own {relationship} reviewer"]


def test_only_the_reviewee_can_be_the_self_reviewer() -> None:
    team = Team()
    fb = open_round(team)
    with pytest.raises(NominationInvalid) as refused:
        fb.propose([Candidate(team.peers[0], "self", team.supervisor)], "reviewee", TODAY)
    assert "nominations[0]" in refused.value.errors


def test_a_subordinate_reviewer_must_report_to_the_reviewee() -> None:
    team = Team()
    fb = open_round(team)
    with pytest.raises(NominationInvalid) as refused:
        fb.propose([Candidate(team.peers[0], "subordinate", team.supervisor)], "reviewee", TODAY)
    assert refused.value.errors["nominations[0]"] == ["a subordinate reviewer must report to the reviewee"]


def test_the_supervisor_reviewer_must_be_the_reviewees_supervisor() -> None:
    team = Team()
    fb = open_round(team)
    with pytest.raises(NominationInvalid) as refused:
        fb.propose([Candidate(team.outsider, "supervisor", None)], "reviewee", TODAY)
    assert refused.value.errors["nominations[0]"] == ["the supervisor reviewer must be the reviewee's supervisor"]


def test_a_reviewee_without_a_supervisor_has_no_supervisor_reviewer() -> None:
    team = Team()
    fb = open_round(team, supervisor_id=None)
    with pytest.raises(NominationInvalid):
        fb.propose([Candidate(team.supervisor, "supervisor", None)], "hr", TODAY)


def test_the_supervisor_reviews_as_supervisor_not_as_peer() -> None:
    team = Team()
    fb = open_round(team)
    with pytest.raises(NominationInvalid) as refused:
        fb.propose([Candidate(team.supervisor, "peer", None), team.peer(0), team.peer(1)], "reviewee", TODAY)
    assert list(refused.value.errors) == ["nominations[0]"]


def test_someone_who_reports_to_the_reviewee_reviews_as_subordinate_not_as_peer() -> None:
    team = Team()
    fb = open_round(team)
    with pytest.raises(NominationInvalid) as refused:
        fb.propose([team.peer(0), team.peer(1), Candidate(team.subordinates[0], "peer", team.reviewee)],
                   "reviewee", TODAY)
    assert list(refused.value.errors) == ["nominations[2]"]


def test_an_unknown_relationship_is_refused() -> None:
    team = Team()
    fb = open_round(team)
    with pytest.raises(NominationInvalid) as refused:
        fb.propose([Candidate(team.peers[0], "mentor", team.supervisor)], "reviewee", TODAY)
    assert "relationship must be one of" in refused.value.errors["nominations[0]"][0]


def test_a_proposal_with_fewer_than_the_minimum_peers_is_refused() -> None:
    team = Team()
    fb = open_round(team)
    with pytest.raises(NominationInvalid) as refused:
        fb.propose([team.self_(), team.peer(0), team.peer(1)], "reviewee", TODAY)
    assert refused.value.errors == {"nominations": ["propose at least 3 peers (would have 2)"]}


def test_a_proposal_without_peers_needs_no_minimum() -> None:
    team = Team()
    fb = open_round(team)
    assert len(fb.propose([team.self_(), team.boss()], "reviewee", TODAY)) == 2


def test_peers_already_nominated_count_towards_the_minimum() -> None:
    team = Team()
    fb = open_round(team)
    fb.propose([team.peer(i) for i in range(3)], "reviewee", TODAY)
    assert len(fb.propose([team.peer(3)], "reviewee", TODAY)) == 1


def test_rejected_and_declined_peers_do_not_count_towards_the_minimum() -> None:
    team = Team()
    fb, ids = staffed_round(team)
    fb.reject(ids[team.peers[0]], "konflik kepentingan", TODAY)
    fb.decline(ids[team.peers[1]], team.peers[1], "cuti", TODAY)
    with pytest.raises(NominationInvalid):
        fb.propose([team.peer(3)], "reviewee", TODAY)
    assert len(fb.propose([team.peer(3), team.peer(4)], "reviewee", TODAY)) == 2


def test_exactly_the_maximum_of_eight_peers_is_accepted() -> None:
    team = Team()
    fb = open_round(team)
    assert len(fb.propose([team.peer(i) for i in range(8)], "reviewee", TODAY)) == 8


def test_more_than_the_maximum_peers_is_refused() -> None:
    team = Team()
    fb = open_round(team)
    with pytest.raises(NominationInvalid) as refused:
        fb.propose([team.peer(i) for i in range(9)], "reviewee", TODAY)
    assert refused.value.errors == {"nominations": ["at most 8 peers (would have 9)"]}


def test_a_reviewer_with_an_active_nomination_cannot_be_nominated_again() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    with pytest.raises(NominationInvalid) as refused:
        fb.add([team.peer(0)], TODAY)
    assert refused.value.errors == {"nominations[0]": ["this reviewer is already nominated in this round"]}


def test_the_same_reviewer_twice_in_one_proposal_is_refused() -> None:
    team = Team()
    fb = open_round(team)
    with pytest.raises(NominationInvalid) as refused:
        fb.propose([team.peer(0), team.peer(1), team.peer(2), team.peer(0)], "reviewee", TODAY)
    assert list(refused.value.errors) == ["nominations[3]"]


def test_a_reviewer_who_declined_may_be_nominated_again() -> None:
    team = Team()
    fb, ids = staffed_round(team)
    fb.decline(ids[team.peers[0]], team.peers[0], "sedang diklat", TODAY)
    [again] = fb.add([team.peer(0)], TODAY)
    assert fb.nomination_of(team.peers[0]).id == again  # type: ignore[union-attr]


def test_each_faulty_candidate_is_named_and_nothing_is_recorded() -> None:
    team = Team()
    fb = open_round(team)
    fb.collect_events()
    with pytest.raises(NominationInvalid) as refused:
        fb.propose([team.self_(), Candidate(team.outsider, "supervisor", None), team.peer(0), team.peer(1),
                    Candidate(team.peers[2], "subordinate", team.supervisor)], "reviewee", TODAY)
    assert sorted(refused.value.errors) == ["nominations", "nominations[1]", "nominations[4]"]
    assert fb.nominations == {} and fb.collect_events() == []


# --- submission ----------------------------------------------------------------------------------------------


def test_an_approved_nominee_submits_a_response() -> None:
    team = Team()
    fb, ids = staffed_round(team)
    response = fb.submit(team.peers[0], answers(4), {"strengths": "Teliti"}, TODAY)
    assert (response.relationship, response.nomination_id, response.supersedes) == ("peer", ids[team.peers[0]], None)
    assert response.ratings == answers(4) and response.comments == {"strengths": "Teliti"}
    assert fb.nominations[ids[team.peers[0]]].response_id == response.id
    assert event_names(fb)[-1] == "ResponseSubmitted"


def test_a_proposed_reviewer_cannot_respond_before_approval() -> None:
    team = Team()
    fb = open_round(team)
    fb.propose([team.sub(0)], "reviewee", TODAY)
    with pytest.raises(NotANominee):
        fb.submit(team.subordinates[0], answers(), {}, TODAY)


def test_someone_not_nominated_cannot_respond() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    with pytest.raises(NotANominee):
        fb.submit(team.outsider, answers(), {}, TODAY)


@pytest.mark.parametrize("how", ["declined", "rejected"])
def test_a_declined_or_rejected_reviewer_cannot_respond(how: str) -> None:
    team = Team()
    fb, ids = staffed_round(team)
    if how == "declined":
        fb.decline(ids[team.peers[0]], team.peers[0], "cuti", TODAY)
    else:
        fb.reject(ids[team.peers[0]], "konflik kepentingan", TODAY)
    with pytest.raises(NotANominee):
        fb.submit(team.peers[0], answers(), {}, TODAY)


def test_a_resubmission_supersedes_the_earlier_response_with_a_new_event() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    first = fb.submit(team.peers[0], answers(2), {}, TODAY)
    second = fb.submit(team.peers[0], answers(5), {}, TODAY)
    submitted = [e for e in fb.collect_events() if isinstance(e, FeedbackRound.ResponseSubmitted)]
    assert [(e.response_id, e.supersedes) for e in submitted] == [(first.id, None), (second.id, first.id)]
    assert set(fb.responses) == {first.id, second.id}
    assert fb.latest_responses() == [second]


def test_only_each_reviewers_latest_response_is_current() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    fb.submit(team.peers[0], answers(2), {}, TODAY)
    fb.submit(team.peers[1], answers(3), {}, TODAY)
    fb.submit(team.peers[0], answers(5), {}, TODAY)
    assert sorted((r.reviewer_id, r.ratings["akuntabel"]) for r in fb.latest_responses()) == sorted(
        [(team.peers[0], 5), (team.peers[1], 3)])


@pytest.mark.parametrize("value", [1, 2, 3, 4, 5])
def test_every_whole_point_of_the_scale_is_accepted(value: int) -> None:
    team = Team()
    fb, _ = staffed_round(team)
    assert fb.submit(team.reviewee, answers(value), {}, TODAY).ratings["loyal"] == value


@pytest.mark.parametrize("value", [0, 6, -1, 3.5, 4.0, "4", True, False, [4]])
def test_a_rating_off_the_scale_or_not_a_whole_number_is_refused(value: Any) -> None:
    team = Team()
    fb, _ = staffed_round(team)
    with pytest.raises(AnswersInvalid) as refused:
        fb.submit(team.reviewee, answers(4, akuntabel=value), {}, TODAY)
    assert refused.value.errors == {"ratings.akuntabel": ["must be a whole number from 1 to 5"]}
    assert fb.latest_responses() == []


def test_missing_required_questions_are_named() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    ratings = answers(4)
    del ratings["akuntabel"]
    ratings["loyal"] = None
    with pytest.raises(AnswersInvalid) as refused:
        fb.submit(team.reviewee, ratings, {}, TODAY)
    assert sorted(refused.value.errors) == ["ratings.akuntabel", "ratings.loyal"]
    assert refused.value.errors["ratings.akuntabel"] == ["required question not answered"]
    assert "ratings.akuntabel" in refused.value.message and "ratings.loyal" in refused.value.message


def test_an_empty_response_names_all_seven_values() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    with pytest.raises(AnswersInvalid) as refused:
        fb.submit(team.reviewee, {}, {}, TODAY)
    assert sorted(refused.value.errors) == sorted(f"ratings.{qid}" for qid in RATING_IDS)


def test_an_unknown_rating_question_is_refused() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    with pytest.raises(AnswersInvalid) as refused:
        fb.submit(team.reviewee, answers(4, integritas=4), {}, TODAY)
    assert refused.value.errors == {"ratings.integritas": ["unknown rating question"]}


def test_a_rating_for_a_comment_question_is_refused() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    with pytest.raises(AnswersInvalid) as refused:
        fb.submit(team.reviewee, answers(4, strengths=5), {}, TODAY)
    assert refused.value.errors == {"ratings.strengths": ["unknown rating question"]}


def test_an_unknown_comment_question_is_refused() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    with pytest.raises(AnswersInvalid) as refused:
        fb.submit(team.reviewee, answers(), {"weaknesses": "terlalu perfeksionis"}, TODAY)
    assert refused.value.errors == {"comments.weaknesses": ["unknown comment question"]}


def test_comments_are_optional() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    assert fb.submit(team.reviewee, answers(), {}, TODAY).comments == {}


def test_comments_are_trimmed_and_blank_ones_are_dropped() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    response = fb.submit(team.reviewee, answers(), {"strengths": "  Tekun  ", "to_develop": "   "}, TODAY)
    assert response.comments == {"strengths": "Tekun"}


@pytest.mark.parametrize("comment", ["x" * 2001, 42, ["baik"]])
def test_a_comment_that_is_not_text_of_at_most_2000_characters_is_refused(comment: Any) -> None:
    team = Team()
    fb, _ = staffed_round(team)
    with pytest.raises(AnswersInvalid) as refused:
        fb.submit(team.reviewee, answers(), {"strengths": comment}, TODAY)
    assert list(refused.value.errors) == ["comments.strengths"]


def test_a_comment_of_exactly_2000_characters_is_accepted() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    assert len(fb.submit(team.reviewee, answers(), {"strengths": "x" * 2000}, TODAY).comments["strengths"]) == 2000


def test_a_repeated_idempotency_key_returns_the_first_response_without_a_new_event() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    first = fb.submit(team.peers[0], answers(3), {}, TODAY, idempotency_key="k-1")
    version = fb.version
    again = fb.submit(team.peers[0], answers(3), {}, TODAY, idempotency_key="k-1")
    assert again == first and fb.version == version
    assert fb.latest_responses() == [first]


def test_a_repeated_idempotency_key_with_other_answers_is_refused_naming_the_key() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    fb.submit(team.peers[0], answers(3), {}, TODAY, idempotency_key="k-1")
    version = fb.version
    with pytest.raises(IdempotencyKeyReused) as refused:
        fb.submit(team.peers[0], answers(5), {}, TODAY, idempotency_key="k-1")
    assert "Idempotency-Key" in refused.value.errors and fb.version == version


def test_a_new_idempotency_key_is_a_new_submission() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    first = fb.submit(team.peers[0], answers(3), {}, TODAY, idempotency_key="k-1")
    second = fb.submit(team.peers[0], answers(5), {}, TODAY, idempotency_key="k-2")
    assert second.id != first.id and second.supersedes == first.id


def test_an_idempotency_key_belongs_to_its_reviewer() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    mine = fb.submit(team.peers[0], answers(3), {}, TODAY, idempotency_key="same")
    theirs = fb.submit(team.peers[1], answers(5), {}, TODAY, idempotency_key="same")
    assert theirs.id != mine.id and theirs.reviewer_id == team.peers[1]


def test_a_repeated_idempotency_key_returns_the_first_response_even_after_closing() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    first = fb.submit(team.peers[0], answers(3), {}, TODAY, idempotency_key="k-1")
    fb.close("periode berakhir")
    version = fb.version
    assert fb.submit(team.peers[0], answers(3), {}, AFTER_CLOSING, idempotency_key="k-1") == first
    assert fb.version == version


def test_a_new_idempotency_key_after_closing_is_refused() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    fb.submit(team.peers[0], answers(3), {}, TODAY, idempotency_key="k-1")
    fb.close("periode berakhir")
    with pytest.raises(RoundClosed):
        fb.submit(team.peers[0], answers(3), {}, TODAY, idempotency_key="k-2")


def test_responses_are_accepted_on_the_closing_day() -> None:
    team = Team()
    fb, _ = staffed_round(team)
    assert fb.submit(team.peers[0], answers(), {}, CLOSES).relationship == "peer"


# --- closing -------------------------------------------------------------------------------------------------


def test_closing_records_the_reason_and_whether_it_was_automatic() -> None:
    fb = open_round(Team())
    fb.close("  closing date passed ", automatic=True)
    closed = fb.collect_events()[-1]
    assert isinstance(closed, FeedbackRound.Closed)
    assert (closed.reason, closed.automatic) == ("closing date passed", True)
    assert not fb.is_open and fb.closed_at == closed.timestamp


def test_a_closed_round_cannot_be_closed_again() -> None:
    fb = open_round(Team())
    fb.close("selesai")
    with pytest.raises(RoundClosed) as refused:
        fb.close("lagi")
    assert isinstance(refused.value, StateConflict)


def test_a_round_is_due_only_after_its_closing_date_while_open() -> None:
    fb = open_round(Team())
    assert not fb.is_due(CLOSES)
    assert fb.is_due(AFTER_CLOSING)
    fb.close("selesai")
    assert not fb.is_due(AFTER_CLOSING)


def _attempts(team: Team, fb: FeedbackRound, ids: dict[UUID, UUID], pending: UUID, day: date) -> dict[str, Any]:
    return {
        "propose": lambda: fb.propose([team.sub(0)], "reviewee", day),
        "add": lambda: fb.add([team.sub(1)], day),
        "approve": lambda: fb.approve(pending, day),
        "reject": lambda: fb.reject(pending, "tidak relevan", day),
        "decline": lambda: fb.decline(ids[team.peers[0]], team.peers[0], "cuti", day),
        "submit": lambda: fb.submit(team.peers[1], answers(), {}, day),
    }


COMMANDS = ["propose", "add", "approve", "reject", "decline", "submit"]


@pytest.mark.parametrize("command", COMMANDS)
def test_nothing_is_accepted_after_the_round_is_closed(command: str) -> None:
    team = Team()
    fb, ids = staffed_round(team)
    [pending] = fb.propose([team.sub(2)], "reviewee", TODAY)
    fb.close("selesai")
    version = fb.version
    with pytest.raises(RoundClosed):
        _attempts(team, fb, ids, pending, TODAY)[command]()
    assert fb.version == version


@pytest.mark.parametrize("command", COMMANDS)
def test_nothing_is_accepted_after_the_closing_date_even_before_the_round_is_closed(command: str) -> None:
    team = Team()
    fb, ids = staffed_round(team)
    [pending] = fb.propose([team.sub(2)], "reviewee", TODAY)
    with pytest.raises(RoundClosed):
        _attempts(team, fb, ids, pending, AFTER_CLOSING)[command]()


# --- reminders -----------------------------------------------------------------------------------------------


def test_a_reminder_is_recorded_for_an_approved_reviewer_who_has_not_responded() -> None:
    team = Team()
    fb, ids = staffed_round(team)
    fb.remind(ids[team.peers[0]], TODAY)
    fb.remind(ids[team.peers[0]], TODAY)
    reminded = fb.collect_events()[-1]
    assert isinstance(reminded, FeedbackRound.ReminderSent)
    assert (reminded.nomination_id, reminded.reviewer_id) == (ids[team.peers[0]], team.peers[0])
    assert fb.nominations[ids[team.peers[0]]].reminders == 2


def test_a_reviewer_who_has_responded_is_not_reminded() -> None:
    team = Team()
    fb, ids = staffed_round(team)
    fb.submit(team.peers[0], answers(), {}, TODAY)
    with pytest.raises(NominationStateConflict):
        fb.remind(ids[team.peers[0]], TODAY)


def test_a_reviewer_not_yet_approved_is_not_reminded() -> None:
    team = Team()
    fb = open_round(team)
    [nomination_id] = fb.propose([team.sub(0)], "reviewee", TODAY)
    with pytest.raises(NominationStateConflict):
        fb.remind(nomination_id, TODAY)


def test_nobody_is_reminded_in_a_closed_round() -> None:
    team = Team()
    fb, ids = staffed_round(team)
    fb.close("selesai")
    with pytest.raises(RoundClosed):
        fb.remind(ids[team.peers[0]], TODAY)


def test_nobody_is_reminded_after_the_closing_date() -> None:
    team = Team()
    fb, ids = staffed_round(team)
    with pytest.raises(RoundClosed):
        fb.remind(ids[team.peers[0]], fb.closes_on + timedelta(days=1))

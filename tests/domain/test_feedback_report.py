"""The 360 report: figures per question and category, and anonymity that nothing can undo by difference."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from application.question_book import default_questions
from domain.feedback_report import Answer, build_report
from domain.feedback_round import Candidate, FeedbackRound
from domain.question_book import QuestionBook, QuestionSet

TODAY = date(2026, 6, 1)


def question_set() -> QuestionSet:
    content = default_questions()
    return QuestionBook.start().publish(content.pop("title"), content)


QS = question_set()
RATING_IDS = QS.rating_ids()
SELF_ID, SUPERVISOR_ID = uuid4(), uuid4()


def ratings(value: int = 3, **overrides: int) -> dict[str, int]:
    out = {qid: value for qid in RATING_IDS}
    out.update(overrides)
    return out


def self_(value: int = 5, comments: dict[str, str] | None = None, **overrides: int) -> Answer:
    return Answer(SELF_ID, "self", ratings(value, **overrides), comments or {})


def boss(value: int = 3, comments: dict[str, str] | None = None, **overrides: int) -> Answer:
    return Answer(SUPERVISOR_ID, "supervisor", ratings(value, **overrides), comments or {})


def peers(*values: int, comments: list[str] | None = None) -> list[Answer]:
    texts = comments or [""] * len(values)
    return [Answer(uuid4(), "peer", ratings(v), {"strengths": t} if t else {}) for v, t in zip(values, texts,
                                                                                              strict=True)]


def subs(*values: int, comments: list[str] | None = None) -> list[Answer]:
    texts = comments or [""] * len(values)
    return [Answer(uuid4(), "subordinate", ratings(v), {"to_develop": t} if t else {})
            for v, t in zip(values, texts, strict=True)]


def report(answers: list[Answer], threshold: int = 3) -> dict[str, Any]:
    return build_report(QS, answers, threshold)


def question(rep: dict[str, Any], qid: str) -> dict[str, Any]:
    return next(q for q in rep["questions"] if q["id"] == qid)


# --- figures -------------------------------------------------------------------------------------------------


def test_the_report_has_one_entry_per_berakhlak_value_in_order() -> None:
    rep = report([boss()])
    assert [q["id"] for q in rep["questions"]] == RATING_IDS
    assert [q["value"] for q in rep["questions"]] == ["Berorientasi Pelayanan", "Akuntabel", "Kompeten", "Harmonis",
                                                      "Loyal", "Adaptif", "Kolaboratif"]
    assert rep["scale"] == {"min": 1, "max": 5} and rep["threshold"] == 3


def test_each_question_has_count_mean_min_and_max_per_category() -> None:
    rep = report([self_(5), boss(2)] + peers(2, 4, 5))
    q = question(rep, "akuntabel")
    assert q["by_category"]["peer"] == {"count": 3, "mean": 3.67, "min": 2, "max": 5}
    assert q["by_category"]["supervisor"] == {"count": 1, "mean": 2.0, "min": 2, "max": 2}
    assert q["by_category"]["self"] == {"count": 1, "mean": 5.0, "min": 5, "max": 5}
    assert q["by_category"]["subordinate"] == {"withheld": True}


def test_a_category_without_responses_has_empty_figures_when_it_needs_no_threshold() -> None:
    rep = report(peers(3, 3, 3))
    assert question(rep, "loyal")["by_category"]["self"] == {"count": 0, "mean": None, "min": None, "max": None}
    assert rep["categories"]["self"] == {"shown": False, "withheld": False, "count": 0, "reviewer_ids": []}


def test_others_are_everyone_but_self() -> None:
    rep = report([self_(5), boss(2)] + peers(3, 4, 4))
    assert question(rep, "kompeten")["others"] == {"count": 4, "mean": 3.25, "min": 2, "max": 4}


def test_the_overall_others_mean_covers_every_rating_by_others() -> None:
    rep = report([self_(5), boss(2, loyal=5)] + peers(3, 3, 3))
    # supervisor: six 2s and one 5 -> 17; peers: 21 threes -> 63; 80 / 28
    assert rep["overall_others_mean"] == round(80 / 28, 2)


def test_the_self_vs_others_gap_is_self_minus_others() -> None:
    rep = report([self_(5, harmonis=2), boss(3)] + peers(4, 4, 4))
    assert question(rep, "akuntabel")["self_vs_others_gap"] == 1.25
    assert question(rep, "harmonis")["self_vs_others_gap"] == -1.75


def test_there_is_no_gap_without_a_self_assessment() -> None:
    rep = report([boss(3)] + peers(4, 4, 4))
    assert all(q["self_vs_others_gap"] is None for q in rep["questions"])


def test_the_highest_and_lowest_values_follow_the_others_mean() -> None:
    rep = report([self_(1, loyal=5, adaptif=5), boss(3, loyal=5, adaptif=1, harmonis=1)])
    assert rep["highest"] == ["loyal"]
    assert sorted(rep["lowest"]) == ["adaptif", "harmonis"]


def test_the_self_assessment_does_not_decide_highest_or_lowest() -> None:
    rep = report([self_(1, kompeten=5), boss(3, akuntabel=4, kolaboratif=2)])
    assert (rep["highest"], rep["lowest"]) == (["akuntabel"], ["kolaboratif"])


def test_a_report_without_other_responses_has_no_overall_mean_highest_or_lowest() -> None:
    rep = report([self_(4)])
    assert (rep["overall_others_mean"], rep["highest"], rep["lowest"]) == (None, [], [])


def test_means_are_rounded_to_two_decimals() -> None:
    rep = report(peers(4, 4, 5))
    assert question(rep, "adaptif")["by_category"]["peer"]["mean"] == 4.33


# --- anonymity threshold -------------------------------------------------------------------------------------


@pytest.mark.parametrize("responses,shown", [(2, False), (3, True), (5, True)])
def test_peers_are_shown_only_from_three_responses(responses: int, shown: bool) -> None:
    rep = report([boss()] + peers(*[4] * responses))
    assert rep["categories"]["peer"]["shown"] is shown and rep["categories"]["peer"]["withheld"] is not shown
    assert ("withheld" in question(rep, "akuntabel")["by_category"]["peer"]) is not shown


@pytest.mark.parametrize("responses,shown", [(2, False), (3, True)])
def test_subordinates_are_shown_only_from_three_responses(responses: int, shown: bool) -> None:
    rep = report([boss()] + subs(*[4] * responses))
    assert rep["categories"]["subordinate"]["shown"] is shown


def test_the_threshold_comes_from_the_rules() -> None:
    rep = report([boss()] + peers(4, 4, 4, 4), threshold=5)
    assert rep["threshold"] == 5 and rep["categories"]["peer"]["withheld"] is True
    assert "fewer than 5 responses" in rep["categories"]["peer"]["reason"]


def test_a_withheld_category_does_not_reveal_how_many_responded() -> None:
    rep = report([boss()] + peers(4, 2))
    assert "count" not in rep["categories"]["peer"]
    assert question(rep, "loyal")["by_category"]["peer"] == {"withheld": True}


def test_a_single_supervisor_response_is_shown_because_it_is_attributed() -> None:
    rep = report([boss(4)])
    assert rep["categories"]["supervisor"] == {"shown": True, "withheld": False, "count": 1,
                                               "reviewer_ids": [str(SUPERVISOR_ID)]}


def test_self_and_supervisor_are_attributed_and_anonymous_categories_are_not() -> None:
    rep = report([self_(), boss()] + peers(3, 4, 5) + subs(3, 4, 5))
    assert rep["categories"]["self"]["reviewer_ids"] == [str(SELF_ID)]
    assert rep["categories"]["supervisor"]["reviewer_ids"] == [str(SUPERVISOR_ID)]
    assert "reviewer_ids" not in rep["categories"]["peer"]
    assert "reviewer_ids" not in rep["categories"]["subordinate"]


def test_with_two_peers_withheld_the_others_figures_are_the_supervisors_alone() -> None:
    rep = report([self_(5), boss(2, loyal=4)] + peers(5, 5))
    for q in rep["questions"]:
        assert q["others"] == q["by_category"]["supervisor"]
    assert rep["overall_others_mean"] == round((2 * 6 + 4) / 7, 2)
    assert question(rep, "akuntabel")["self_vs_others_gap"] == 3.0


def test_a_withheld_category_changes_no_figure_at_all() -> None:
    without = report([self_(5), boss(2)] + subs(3, 4, 4))
    with_two_peers = report([self_(5), boss(2)] + subs(3, 4, 4) + peers(1, 5, comments=["Cepat", "Ramah"]))
    assert with_two_peers == without


@pytest.mark.parametrize("peer_values", [(1, 1), (5, 5), (1, 5)])
def test_nothing_can_be_learned_about_withheld_peers_by_difference(peer_values: tuple[int, int]) -> None:
    baseline = report([self_(4), boss(3)] + peers(3, 3))
    assert report([self_(4), boss(3)] + peers(*peer_values)) == baseline


def test_withheld_subordinates_and_peers_leave_only_attributed_figures() -> None:
    rep = report([self_(4), boss(3)] + peers(1, 1) + subs(5, 5))
    assert rep["overall_others_mean"] == 3.0
    assert rep["categories"]["peer"]["withheld"] and rep["categories"]["subordinate"]["withheld"]
    assert all(q["others"]["count"] == 1 for q in rep["questions"])


def test_anonymous_comments_from_a_withheld_category_do_not_appear() -> None:
    rep = report([boss()] + peers(4, 4, comments=["Rahasia dari rekan", "Rekan kedua"])
                 + subs(4, 4, 4, comments=["Dari bawahan A", "Dari bawahan B", "Dari bawahan C"]))
    texts = [c["text"] for c in rep["comments"]["anonymous"]]
    assert sorted(texts) == ["Dari bawahan A", "Dari bawahan B", "Dari bawahan C"]


# --- comments ------------------------------------------------------------------------------------------------


def test_anonymous_comments_carry_no_names_and_are_sorted_not_in_submission_order() -> None:
    rep = report(peers(4, 4, 4, comments=["Zona nyaman perlu ditinggalkan", "antusias", "Mau membantu"]))
    assert rep["comments"]["anonymous"] == [
        {"question": "strengths", "text": "antusias"},
        {"question": "strengths", "text": "Mau membantu"},
        {"question": "strengths", "text": "Zona nyaman perlu ditinggalkan"},
    ]


def test_anonymous_comments_do_not_reveal_the_reviewers_category_order() -> None:
    first = report(peers(4, 4, 4, comments=["b", "c", "a"]) + subs(4, 4, 4, comments=["z", "y", "x"]))
    second = report(list(reversed(subs(4, 4, 4, comments=["x", "z", "y"]) + peers(4, 4, 4, comments=["a", "c", "b"]))))
    assert first["comments"] == second["comments"]


def test_self_and_supervisor_comments_are_attributed() -> None:
    rep = report([self_(comments={"strengths": "Saya teliti"}), boss(comments={"to_develop": "Delegasi"})])
    assert rep["comments"]["self"] == [{"question": "strengths", "text": "Saya teliti", "reviewer_id": str(SELF_ID)}]
    assert rep["comments"]["supervisor"] == [
        {"question": "to_develop", "text": "Delegasi", "reviewer_id": str(SUPERVISOR_ID)}]
    assert rep["comments"]["anonymous"] == []


# --- from a round --------------------------------------------------------------------------------------------


def test_the_report_of_a_round_counts_only_each_reviewers_latest_response() -> None:
    reviewee, supervisor = uuid4(), uuid4()
    fb = FeedbackRound.open(reviewee_id=reviewee, supervisor_id=supervisor, unit="BKPSDM", period="2026",
                            questions=QS, closes_on=date(2026, 6, 30), rule_set_version=1,
                            feedback_rules={"anonymity_threshold": 3, "min_peers": 3, "max_peers": 8}, today=TODAY)
    for nomination_id in fb.propose([Candidate(supervisor, "supervisor", None)], "reviewee", TODAY):
        fb.approve(nomination_id, TODAY)
    fb.submit(supervisor, ratings(1), {"strengths": "versi lama"}, TODAY)
    fb.submit(supervisor, ratings(4), {"strengths": "versi baru"}, TODAY)
    answers = [Answer(r.reviewer_id, r.relationship, r.ratings, r.comments) for r in fb.latest_responses()]
    rep = build_report(fb.questions(), answers, fb.anonymity_threshold)
    assert question(rep, "akuntabel")["others"] == {"count": 1, "mean": 4.0, "min": 4, "max": 4}
    assert [c["text"] for c in rep["comments"]["supervisor"]] == ["versi baru"]

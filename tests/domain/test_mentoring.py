"""Mentoring (a more senior mentor, goals, sessions, one ending) and awards (penghargaan)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from domain.errors import StateConflict
from domain.mentoring import Mentoring, MentoringEnded, MentoringInvalid
from domain.recognition import Award, AwardInvalid

TODAY = date(2026, 6, 15)
START = date(2026, 2, 1)


def assign(**overrides: Any) -> Mentoring:
    fields: dict[str, Any] = {"mentor_id": uuid4(), "mentor_rank": "IV/a", "mentee_id": uuid4(),
                              "mentee_rank": "III/a", "goals": ["menyusun kajian kebijakan"], "starts_on": START}
    fields.update(overrides)
    return Mentoring.assign(**fields)


def refused(**overrides: Any) -> dict[str, list[str]]:
    with pytest.raises(MentoringInvalid) as error:
        assign(**overrides)
    return error.value.errors


def test_a_mentor_of_a_higher_rank_is_assigned_with_goals_and_both_ranks_pinned() -> None:
    mentoring = assign(goals=[" menyusun kajian ", "memimpin rapat koordinasi"])

    assert (mentoring.mentor_rank, mentoring.mentee_rank) == ("IV/a", "III/a")
    assert mentoring.goals == ["menyusun kajian", "memimpin rapat koordinasi"]
    assert mentoring.is_active


def test_one_step_up_is_senior_enough() -> None:
    assert assign(mentor_rank="III/b", mentee_rank="III/a").is_active


@pytest.mark.parametrize(("mentor_rank", "mentee_rank"), [("III/a", "III/a"), ("III/a", "III/c")])
def test_a_mentor_of_the_same_or_a_lower_rank_is_refused(mentor_rank: str, mentee_rank: str) -> None:
    errors = refused(mentor_rank=mentor_rank, mentee_rank=mentee_rank)

    assert set(errors) == {"mentor_id"}
    assert "higher rank" in errors["mentor_id"][0]


def test_nobody_mentors_themself() -> None:
    me = uuid4()

    assert set(refused(mentor_id=me, mentee_id=me, mentor_rank="IV/a")) == {"mentor_id"}


@pytest.mark.parametrize("goals", [[], ["  "], ["kajian", ""]])
def test_goals_are_required_and_none_may_be_empty(goals: list[str]) -> None:
    assert set(refused(goals=goals)) == {"goals"}


def test_a_session_is_logged_with_its_date_note_and_who_logged_it() -> None:
    mentoring = assign()

    session = mentoring.log_session(date(2026, 3, 10), " membahas draf kajian ", "mentor", TODAY)

    assert (session.held_on, session.note, session.logged_by) == (date(2026, 3, 10), "membahas draf kajian", "mentor")
    assert mentoring.sessions == [session]


@pytest.mark.parametrize(("held_on", "message"), [
    (TODAY + timedelta(days=1), "must not be in the future"),
    (START - timedelta(days=1), "must be on or after the start of the assignment (2026-02-01)"),
])
def test_a_session_must_fall_between_the_start_and_today(held_on: date, message: str) -> None:
    with pytest.raises(MentoringInvalid) as error:
        assign().log_session(held_on, "catatan", "mentor", TODAY)

    assert error.value.errors == {"held_on": [message]}


def test_the_start_day_and_today_are_both_allowed() -> None:
    mentoring = assign()

    mentoring.log_session(START, "perkenalan", "mentee", TODAY)
    mentoring.log_session(TODAY, "evaluasi", "mentor", TODAY)

    assert len(mentoring.sessions) == 2


def test_a_session_needs_a_note() -> None:
    with pytest.raises(MentoringInvalid) as error:
        assign().log_session(START, " ", "mentor", TODAY)

    assert set(error.value.errors) == {"note"}


def test_the_assignment_ends_once_with_a_summary_and_takes_no_more_sessions() -> None:
    mentoring = assign()
    mentoring.end("kajian selesai dan dipresentasikan", TODAY)

    assert (mentoring.summary, mentoring.ended_on, mentoring.is_active) == (
        "kajian selesai dan dipresentasikan", TODAY, False)
    with pytest.raises(MentoringEnded) as again:
        mentoring.end("lagi", TODAY)
    assert isinstance(again.value, StateConflict)
    with pytest.raises(MentoringEnded):
        mentoring.log_session(TODAY, "terlambat", "mentor", TODAY)


def test_ending_needs_a_summary() -> None:
    with pytest.raises(MentoringInvalid) as error:
        assign().end("", TODAY)

    assert set(error.value.errors) == {"summary"}


# --- awards -------------------------------------------------------------------------------------------------------


def grant(**overrides: Any) -> Award:
    fields: dict[str, Any] = {"employee_id": uuid4(), "category": "innovation", "title": "Inovasi Layanan 2026",
                              "reason": "aplikasi antrean daring", "awarded_on": TODAY, "granted_by_id": uuid4(),
                              "today": TODAY}
    fields.update(overrides)
    return Award.grant(**fields)


def test_an_award_carries_its_category_title_and_reason() -> None:
    award = grant(title=" Pegawai Teladan ", category="exemplary")

    assert (award.category, award.title, award.reason) == ("exemplary", "Pegawai Teladan", "aplikasi antrean daring")


@pytest.mark.parametrize(("overrides", "field"), [
    ({"category": "bravery"}, "category"),
    ({"title": " "}, "title"),
    ({"reason": ""}, "reason"),
    ({"awarded_on": TODAY + timedelta(days=1)}, "awarded_on"),
])
def test_a_faulty_award_is_refused_naming_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(AwardInvalid) as error:
        grant(**overrides)

    assert set(error.value.errors) == {field}


def test_nobody_grants_themself_an_award() -> None:
    me = uuid4()

    with pytest.raises(AwardInvalid) as error:
        grant(employee_id=me, granted_by_id=me)

    assert set(error.value.errors) == {"employee_id"}

"""FeedbackService: a 360 round through the ledger, from opening to the report and audited raw reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from application.actor import Actor, system_actor
from application.errors import Forbidden, NotFound
from application.feedback import ReportNotAvailable
from application.ledger import event_meta
from application.queries.filters import AuditFilter
from domain.errors import StateConflict
from domain.feedback_round import FeedbackRound, InvalidPeriod, NotANominee, RoundClosed
from domain.round_slot import RoundAlreadyOpen
from domain.sensitive_read import ReasonForReadRequired, SensitiveRead
from infrastructure.container import Jejak

RATING_IDS = ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"]
AUDITOR = Actor(id="aud-1", role="auditor", name="Inspektorat Daerah")


@pytest.fixture
def jejak(jejak: Jejak) -> Jejak:
    """The shared system on each backend; read models are caught up where a test reads them, not after every
    command (the service never reads them, and an explicit catch-up raises instead of logging)."""
    jejak.ledger.after_record.clear()
    return jejak


def answers(value: int = 4, **overrides: int) -> dict[str, int]:
    out = {qid: value for qid in RATING_IDS}
    out.update(overrides)
    return out


@dataclass
class Team:
    """Supervisor S; reviewee R reporting to S; five peers reporting to S; three subordinates reporting to R."""

    supervisor: UUID
    reviewee: UUID
    peers: list[UUID]
    subordinates: list[UUID]
    outsider: UUID

    def actor(self, employee_id: UUID, role: str = "employee") -> Actor:
        return Actor(id=f"emp-{employee_id}", role=role, name=f"Pegawai {employee_id}", employee_id=employee_id)

    @property
    def boss(self) -> Actor:
        return self.actor(self.supervisor, "supervisor")

    @property
    def me(self) -> Actor:
        return self.actor(self.reviewee)


def build_team(jejak: Jejak, hr: Actor) -> Team:
    jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM")
    serial = iter(range(1, 100))

    def register(name: str, position: str, supervisor_id: UUID | None = None) -> UUID:
        i = next(serial)
        return jejak.registry.register_employee(
            hr, nip=f"19850315201001{1 + i % 2}{i:03d}", name=name, unit="BKPSDM", position=position,
            rank="III/a", rank_since=date(2015, 1, 1), supervisor_id=supervisor_id).id

    supervisor = register("Siti Rahmawati", "Kepala Bidang Mutasi")
    reviewee = register("Rudi Hartono", "Kepala Sub Bidang Mutasi", supervisor)
    peers = [register(f"Rekan {i}", "Kepala Sub Bidang", supervisor) for i in range(1, 6)]
    subordinates = [register(f"Staf {i}", "Analis SDM Aparatur", reviewee) for i in range(1, 4)]
    outsider = register("Orang Luar", "Analis")
    return Team(supervisor, reviewee, peers, subordinates, outsider)


def closes_on(days: int = 14) -> date:
    return date.today() + timedelta(days=days)


def staffed_round(jejak: Jejak, hr: Actor, team: Team, peers: int = 3, subordinates: int = 0,
                  period: str = "2026") -> tuple[UUID, dict[UUID, UUID]]:
    """A round with self, supervisor and the given reviewers proposed by the reviewee and approved."""
    round_id = jejak.feedback.open_round(hr, team.reviewee, period, closes_on()).id
    reviewers = [(team.reviewee, "self"), (team.supervisor, "supervisor")] + \
        [(p, "peer") for p in team.peers[:peers]] + [(s, "subordinate") for s in team.subordinates[:subordinates]]
    ids = jejak.feedback.propose(team.me, round_id, reviewers)
    for nomination_id in ids:
        jejak.feedback.approve(team.boss, round_id, nomination_id)
    return round_id, {r: n for (r, _), n in zip(reviewers, ids, strict=True)}


def names(jejak: Jejak, round_id: UUID) -> list[str]:
    return [type(e).__name__ for e in jejak.ledger.history(round_id)]


def question(report: dict[str, Any], qid: str) -> dict[str, Any]:
    return next(q for q in report["questions"] if q["id"] == qid)


# --- opening -------------------------------------------------------------------------------------------------


def test_hr_opens_a_round_that_pins_the_question_set_and_the_feedback_rules(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    opened = jejak.feedback.open_round(hr, team.reviewee, "2026-Q3", closes_on())
    fb = jejak.feedback.round(opened.id)
    assert (fb.reviewee_id, fb.supervisor_id, fb.unit, fb.period) == (team.reviewee, team.supervisor, "BKPSDM",
                                                                      "2026-Q3")
    assert (fb.question_set["version"], fb.rule_set_version) == (1, 1)
    assert (fb.anonymity_threshold, fb.min_peers, fb.max_peers) == (3, 3, 8)
    assert fb.questions().rating_ids() == RATING_IDS


def test_a_round_keeps_its_question_set_when_a_new_version_is_published(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    jejak.questions.publish(hr, "Singkat", {"scale": {"min": 1, "max": 3},
                                            "anchors": {"1": "jarang", "2": "kadang", "3": "selalu"},
                                            "questions": [{"id": "akuntabel", "kind": "rating", "required": True,
                                                           "text": "Akuntabel?"}]})
    assert jejak.feedback.round(round_id).question_set["version"] == 1
    jejak.feedback.submit(team.actor(team.peers[0]), round_id, answers(5), {})  # 5 is on v1's scale, not v2's


def test_the_reviewees_supervisor_may_open_a_round_and_nobody_else_but_hr(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    for stranger in (team.me, team.actor(team.peers[0]), team.actor(team.subordinates[0], "supervisor"), AUDITOR):
        with pytest.raises(Forbidden):
            jejak.feedback.open_round(stranger, team.reviewee, "2026", closes_on())
    assert jejak.feedback.open_round(team.boss, team.reviewee, "2026", closes_on()).supervisor_id == team.supervisor


def test_a_period_that_is_neither_a_year_nor_a_quarter_is_refused(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    with pytest.raises(InvalidPeriod):
        jejak.feedback.open_round(hr, team.reviewee, "2026-Q5", closes_on())


def test_one_open_round_per_reviewee_and_period_until_it_closes(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    first = jejak.feedback.open_round(hr, team.reviewee, "2026", closes_on())
    with pytest.raises(RoundAlreadyOpen) as refused:
        jejak.feedback.open_round(team.boss, team.reviewee, "2026", closes_on())
    assert isinstance(refused.value, StateConflict)
    assert jejak.feedback.open_round(hr, team.reviewee, "2026-Q3", closes_on()).period == "2026-Q3"
    assert jejak.feedback.open_round(hr, team.peers[0], "2026", closes_on()).period == "2026"
    jejak.feedback.close(hr, first.id, "dibuka ulang dengan penilai lain")
    second = jejak.feedback.open_round(hr, team.reviewee, "2026", closes_on())
    assert second.id != first.id and jejak.feedback.round(second.id).is_open


# --- nominations ---------------------------------------------------------------------------------------------


def test_the_reviewee_proposes_and_the_supervisor_approves_rejects_or_adds(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id = jejak.feedback.open_round(hr, team.reviewee, "2026", closes_on()).id
    ids = jejak.feedback.propose(team.me, round_id, [(p, "peer") for p in team.peers[:4]])
    jejak.feedback.approve(team.boss, round_id, ids[0])
    jejak.feedback.reject(team.boss, round_id, ids[1], "konflik kepentingan")
    added = jejak.feedback.add(team.boss, round_id, team.subordinates[0], "subordinate")
    fb = jejak.feedback.round(round_id)
    assert [fb.nominations[i].status for i in ids + [added]] == ["approved", "rejected", "proposed", "proposed",
                                                                 "approved"]
    assert names(jejak, round_id)[-3:] == ["NominationApproved", "NominationRejected", "NominationAdded"]
    assert event_meta(jejak.ledger.history(round_id)[-2])["reason"] == "konflik kepentingan"


def test_only_the_reviewee_or_hr_propose_and_only_the_supervisor_or_hr_decide(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id = jejak.feedback.open_round(hr, team.reviewee, "2026", closes_on()).id
    with pytest.raises(Forbidden):
        jejak.feedback.propose(team.actor(team.peers[0]), round_id, [(team.reviewee, "self")])
    [nomination_id] = jejak.feedback.propose(hr, round_id, [(team.reviewee, "self")])
    assert jejak.feedback.round(round_id).nominations[nomination_id].proposed_by == "hr"
    for not_the_supervisor in (team.me, team.actor(team.peers[0], "supervisor")):
        with pytest.raises(Forbidden):
            jejak.feedback.approve(not_the_supervisor, round_id, nomination_id)
        with pytest.raises(Forbidden):
            jejak.feedback.add(not_the_supervisor, round_id, team.peers[0], "peer")
    jejak.feedback.approve(hr, round_id, nomination_id)


def test_a_nominated_reviewer_declines_with_a_reason_and_may_then_not_respond(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, ids = staffed_round(jejak, hr, team)
    peer = team.actor(team.peers[0])
    with pytest.raises(Forbidden):
        jejak.feedback.decline(team.actor(team.peers[1]), round_id, ids[team.peers[0]], "bukan saya")
    jejak.feedback.decline(peer, round_id, ids[team.peers[0]], "cuti melahirkan")
    declined = jejak.ledger.history(round_id)[-1]
    assert isinstance(declined, FeedbackRound.NominationDeclined) and declined.reason == "cuti melahirkan"
    with pytest.raises(NotANominee):
        jejak.feedback.submit(peer, round_id, answers(), {})


# --- submission ----------------------------------------------------------------------------------------------


def test_a_resubmission_is_a_new_event_and_the_report_counts_only_the_latest(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    first = jejak.feedback.submit(team.boss, round_id, answers(2), {"strengths": "Tekun"})
    second = jejak.feedback.submit(team.boss, round_id, answers(4), {"strengths": "Tekun dan teliti"})
    assert second.supersedes == first.response_id and second.version == first.version + 1
    submitted = [e for e in jejak.ledger.history(round_id) if isinstance(e, FeedbackRound.ResponseSubmitted)]
    assert [(e.response_id, e.ratings["akuntabel"]) for e in submitted] == [(first.response_id, 2),
                                                                           (second.response_id, 4)]
    jejak.feedback.close(hr, round_id, "periode selesai")
    report = jejak.feedback.report(team.me, round_id)
    assert question(report, "akuntabel")["by_category"]["supervisor"] == {"count": 1, "mean": 4.0, "min": 4, "max": 4}
    assert [c["text"] for c in report["comments"]["supervisor"]] == ["Tekun dan teliti"]


def test_a_retried_idempotency_key_returns_the_first_result_without_a_new_event_even_after_closing(
        jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    peer = team.actor(team.peers[0])
    first = jejak.feedback.submit(peer, round_id, answers(3), {}, idempotency_key="req-7f3a")
    retried = jejak.feedback.submit(peer, round_id, answers(3), {}, idempotency_key="req-7f3a")
    assert retried == first
    assert len(jejak.ledger.history(round_id)) == first.version
    jejak.feedback.close(hr, round_id, "periode selesai")
    closed_at = len(jejak.ledger.history(round_id))
    late = jejak.feedback.submit(peer, round_id, answers(3), {}, idempotency_key="req-7f3a")
    assert (late.response_id, late.supersedes, late.submitted_at) == (first.response_id, None, first.submitted_at)
    assert len(jejak.ledger.history(round_id)) == closed_at


# --- closing -------------------------------------------------------------------------------------------------


def test_a_round_closes_automatically_after_its_closing_date(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    deadline = jejak.feedback.round(round_id).closes_on
    jejak.feedback.today = lambda: deadline
    assert jejak.feedback.close_if_due(system_actor("scheduler"), round_id) is False
    jejak.feedback.today = lambda: deadline + timedelta(days=1)
    assert jejak.feedback.close_if_due(system_actor("scheduler"), round_id) is True
    closed = jejak.ledger.history(round_id)[-1]
    assert isinstance(closed, FeedbackRound.Closed) and closed.automatic is True
    assert deadline.isoformat() in closed.reason
    assert jejak.feedback.close_if_due(system_actor("scheduler"), round_id) is False


def test_a_submission_past_the_closing_date_closes_the_round_itself(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    deadline = jejak.feedback.round(round_id).closes_on
    jejak.feedback.today = lambda: deadline + timedelta(days=1)
    boss = team.boss
    with pytest.raises(RoundClosed):
        jejak.feedback.submit(boss, round_id, answers(), {})
    closed = jejak.ledger.history(round_id)[-1]
    assert isinstance(closed, FeedbackRound.Closed) and closed.automatic is True
    assert event_meta(closed)["actor_role"] == "system"
    assert event_meta(closed)["correlation_id"] == boss.correlation_id
    assert jejak.feedback.close_if_due(system_actor("scheduler"), round_id) is False


def test_only_the_supervisor_or_hr_close_a_round(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    with pytest.raises(Forbidden):
        jejak.feedback.close(team.me, round_id, "saya sudah cukup")
    jejak.feedback.close(team.boss, round_id, "semua sudah menjawab")
    closed = jejak.ledger.history(round_id)[-1]
    assert isinstance(closed, FeedbackRound.Closed) and closed.automatic is False
    assert event_meta(closed)["actor_id"] == team.boss.id


def test_after_closing_nothing_is_accepted(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, ids = staffed_round(jejak, hr, team)
    [pending] = jejak.feedback.propose(team.me, round_id, [(team.subordinates[0], "subordinate")])
    jejak.feedback.close(hr, round_id, "periode selesai")
    version = jejak.feedback.round(round_id).version
    attempts = [
        lambda: jejak.feedback.propose(team.me, round_id, [(team.subordinates[1], "subordinate")]),
        lambda: jejak.feedback.approve(team.boss, round_id, pending),
        lambda: jejak.feedback.submit(team.actor(team.peers[0]), round_id, answers(), {}),
        lambda: jejak.feedback.decline(team.actor(team.peers[1]), round_id, ids[team.peers[1]], "cuti"),
        lambda: jejak.feedback.close(hr, round_id, "lagi"),
    ]
    for attempt in attempts:
        with pytest.raises(RoundClosed):
            attempt()
    assert jejak.feedback.round(round_id).version == version


# --- reminders -----------------------------------------------------------------------------------------------


def test_reminders_are_due_three_days_after_nomination_and_are_recorded(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, ids = staffed_round(jejak, hr, team)
    jejak.feedback.propose(team.me, round_id, [(team.subordinates[0], "subordinate")])  # proposed, not approved
    jejak.feedback.submit(team.boss, round_id, answers(), {})
    jejak.projections.catch_up()
    assert jejak.feedback_view.reminders_due(datetime.now(UTC)) == []
    due = jejak.feedback_view.reminders_due(datetime.now(UTC) + timedelta(days=3))
    assert sorted(r["reviewer_id"] for r in due) == sorted([team.reviewee] + team.peers[:3])
    assert {r["round_id"] for r in due} == {round_id}
    jejak.feedback.remind(hr, round_id, ids[team.peers[0]])
    reminded = jejak.ledger.history(round_id)[-1]
    assert isinstance(reminded, FeedbackRound.ReminderSent) and reminded.reviewer_id == team.peers[0]
    jejak.projections.catch_up()
    row = next(r for r in jejak.feedback_view.reminders_due(datetime.now(UTC) + timedelta(days=3))
               if r["reviewer_id"] == team.peers[0])
    assert row["reminders"] == 1 and row["last_reminded_at"] == reminded.timestamp


def test_who_is_due_a_reminder_is_read_by_hr_and_the_reminder_job_only(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    jejak.projections.catch_up()
    later = datetime.now(UTC) + timedelta(days=3)

    by_hr = jejak.queries.feedback.reminders_due(hr, later)
    by_job = jejak.queries.feedback.reminders_due(system_actor("reminder"), later, 3)

    assert {r["round_id"] for r in by_hr} == {round_id} and by_job == by_hr
    with pytest.raises(Forbidden):
        jejak.queries.feedback.reminders_due(team.boss, later)


def test_a_units_feedback_report_is_for_hr_and_names_an_unknown_unit(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    jejak.projections.catch_up()

    report = jejak.queries.feedback.unit_report(hr, "BKPSDM", "2026")

    assert [r["id"] for r in report["rounds"]] == [round_id]
    with pytest.raises(Forbidden):
        jejak.queries.feedback.unit_report(team.boss, "BKPSDM", "2026")
    with pytest.raises(NotFound, match="no unit 'NOPE'"):
        jejak.queries.feedback.unit_report(hr, "NOPE", "2026")


# --- report --------------------------------------------------------------------------------------------------


def test_the_report_is_available_only_after_closing(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    jejak.feedback.submit(team.boss, round_id, answers(4), {})
    with pytest.raises(ReportNotAvailable):
        jejak.feedback.report(team.me, round_id)
    jejak.feedback.close(hr, round_id, "periode selesai")
    assert jejak.feedback.report(team.me, round_id)["closed"] is True


def test_the_report_is_for_the_reviewee_their_supervisor_and_hr_only(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    jejak.feedback.submit(team.boss, round_id, answers(4), {})
    jejak.feedback.close(hr, round_id, "periode selesai")
    reports = [jejak.feedback.report(reader, round_id) for reader in (team.me, team.boss, hr)]
    assert reports[0] == reports[1] == reports[2]
    for other in (team.actor(team.peers[0]), team.actor(team.subordinates[0]), team.actor(team.peers[1], "supervisor"),
                  AUDITOR):
        with pytest.raises(Forbidden) as refused:
            jejak.feedback.report(other, round_id)
        assert type(refused.value) is Forbidden


def test_the_report_withholds_two_peers_and_shows_three(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team, peers=3)
    jejak.feedback.submit(team.me, round_id, answers(5), {"strengths": "Saya disiplin"})
    jejak.feedback.submit(team.boss, round_id, answers(3), {})
    jejak.feedback.submit(team.actor(team.peers[0]), round_id, answers(1), {"strengths": "Sulit diajak bekerja sama"})
    jejak.feedback.submit(team.actor(team.peers[1]), round_id, answers(2), {})
    when_two = datetime.now(UTC)
    jejak.feedback.submit(team.actor(team.peers[2]), round_id, answers(4), {})
    jejak.feedback.close(hr, round_id, "periode selesai")

    two = jejak.feedback.report(AUDITOR, round_id, at=when_two)
    assert two["categories"]["peer"]["withheld"] is True
    assert all(q["others"] == q["by_category"]["supervisor"] for q in two["questions"])
    assert two["overall_others_mean"] == 3.0 and two["comments"]["anonymous"] == []

    three = jejak.feedback.report(team.me, round_id)
    assert three["categories"]["peer"] == {"shown": True, "withheld": False, "count": 3}
    assert question(three, "akuntabel")["others"] == {"count": 4, "mean": 2.5, "min": 1, "max": 4}
    assert question(three, "akuntabel")["self_vs_others_gap"] == 2.5
    assert three["comments"]["anonymous"] == [{"question": "strengths", "text": "Sulit diajak bekerja sama"}]
    assert three["categories"]["self"]["reviewer_ids"] == [str(team.reviewee)]
    assert three["categories"]["supervisor"]["reviewer_ids"] == [str(team.supervisor)]


def test_an_auditor_reconstructs_the_report_as_it_stood_before_a_supersession(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    jejak.feedback.submit(team.boss, round_id, answers(2), {})
    before = datetime.now(UTC)
    jejak.feedback.submit(team.boss, round_id, answers(5), {})
    jejak.feedback.close(hr, round_id, "periode selesai")
    then = jejak.feedback.report(AUDITOR, round_id, at=before)
    now = jejak.feedback.report(AUDITOR, round_id, at=datetime.now(UTC))
    assert question(then, "loyal")["by_category"]["supervisor"]["mean"] == 2.0 and then["closed"] is False
    assert question(now, "loyal")["by_category"]["supervisor"]["mean"] == 5.0 and now["closed"] is True
    assert now == jejak.feedback.report(hr, round_id)
    with pytest.raises(Forbidden):
        jejak.feedback.report(hr, round_id, at=before)


# --- raw responses -------------------------------------------------------------------------------------------


def test_reading_raw_responses_is_recorded_with_who_and_why(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    jejak.feedback.submit(team.actor(team.peers[0]), round_id, answers(1), {})
    jejak.feedback.submit(team.actor(team.peers[0]), round_id, answers(2), {})
    raw = jejak.feedback.raw_responses(AUDITOR, round_id, "pengaduan no. 12/2026", case_id="ADU-12")
    assert [(r.reviewer_id, r.ratings["loyal"]) for r in raw] == [(team.peers[0], 1), (team.peers[0], 2)]
    jejak.projections.catch_up()
    rows, _ = jejak.audit.events(AuditFilter(topic="SensitiveRead.Recorded"), limit=10)
    [row] = rows
    assert (row["actor_id"], row["actor_role"], row["reason"]) == ("aud-1", "auditor", "pengaduan no. 12/2026")
    [recorded] = jejak.ledger.history(row["aggregate_id"])
    assert isinstance(recorded, SensitiveRead.Recorded)
    assert (recorded.subject_id, recorded.case_id) == (round_id, "ADU-12")


def test_raw_responses_need_a_reason_and_are_refused_to_employees(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    for reason in (None, "", "   "):
        with pytest.raises(ReasonForReadRequired):
            jejak.feedback.raw_responses(AUDITOR, round_id, reason)
    for not_an_auditor in (team.me, team.boss, hr):
        with pytest.raises(Forbidden):
            jejak.feedback.raw_responses(not_an_auditor, round_id, "ingin tahu")
    jejak.projections.catch_up()
    assert jejak.audit.events(AuditFilter(topic="SensitiveRead.Recorded"), limit=10)[0] == []


def test_only_hr_or_the_reminder_job_send_reminders(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, ids = staffed_round(jejak, hr, team)
    with pytest.raises(Forbidden):
        jejak.feedback.remind(team.me, round_id, ids[team.peers[0]])

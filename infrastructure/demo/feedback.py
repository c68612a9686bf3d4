"""The demo's 360-degree feedback: a closed quarter of rounds and an open one, run as their people would."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from uuid import UUID

from application.actor import Actor
from domain.round_slot import RoundSlot
from infrastructure.container import Jejak
from infrastructure.demo.cast import Cast
from infrastructure.demo.shapes import DemoEmployee, DemoPlan, DemoReviewer, DemoRound

# ---------------------------------------------------------------- 360-degree feedback

CLOSED_PERIOD = "2026-Q3"
OPEN_PERIOD = "2026-Q4"
CLOSED_ROUND_DAYS = 14  # rounds are opened with a closing date ahead (the service refuses past dates) ...
OPEN_ROUND_DAYS = 21  # ... closed ones are then closed by HR once the answers are in
CLOSING_REASON = "semua penilai yang bersedia telah mengisi; ditutup oleh BKPSDM"
STRENGTHS = (
    "Selalu tepat waktu dan rapi dalam menyelesaikan tugas.",
    "Sabar dan jelas ketika menjelaskan aturan kepada rekan.",
    "Cepat tanggap terhadap permintaan layanan pegawai.",
    "Mau berbagi pengetahuan dan membimbing rekan baru.",
    "Teliti memeriksa berkas sebelum diteruskan.",
    "Terbuka terhadap cara kerja baru dan aplikasi baru.",
)
TO_DEVELOP = (
    "Lebih sering mendelegasikan pekerjaan kepada tim.",
    "Menyampaikan kendala lebih awal, tidak menunggu tenggat.",
    "Mendokumentasikan keputusan rapat secara tertulis.",
    "Memberi umpan balik yang lebih spesifik kepada rekan.",
)
DECLINE_REASON = "Sedang tugas belajar sampai akhir tahun; tidak cukup mengamati pekerjaan beliau."


def feedback_plan(people: Sequence[DemoEmployee], holders: Mapping[str, str]) -> tuple[DemoRound, ...]:
    """The demo's 360 rounds, drawn from the plan's structure (no randomness needed).

    Closed (2026-Q3): the BKPSDM secretary (every category shown), a BKPSDM head of field (only 2 of 3 peers
    answered: peers withheld), the demo employee (their own report) and a DINKES head of field (only 2 of 3
    subordinates answered). Open (2026-Q4): a BKPSDM head of field waiting for the demo supervisor's answer, a
    colleague of the demo employee waiting for the demo employee's answer as peer, and the demo employee's own
    round whose proposals wait for approval."""
    supervisor_nip = {e.nip: e.supervisor_nip or "" for e in people}
    reports: dict[str, list[str]] = {}
    for e in people:
        if e.supervisor_nip:
            reports.setdefault(e.supervisor_nip, []).append(e.nip)

    def supervisor_of(nip: str) -> str:
        return supervisor_nip[nip]

    def staff_of(nip: str) -> list[str]:
        return reports.get(nip, [])

    head, employee = holders["supervisor"], holders["employee"]
    sections = staff_of(head)  # the BKPSDM secretary and heads of field
    team = staff_of(supervisor_of(employee))  # the demo employee and the colleagues under the same supervisor
    dinkes_head = next(e.nip for e in people if e.unit == "DINKES" and supervisor_of(e.nip) == supervisor_of(head))
    dinkes = staff_of(dinkes_head)

    def everyone(reviewee: str, peers: Sequence[str], subordinates: Sequence[str], silent_peers: int = 0,
                 silent_subordinates: int = 0) -> tuple[DemoReviewer, ...]:
        """Self, peers and subordinates proposed by the reviewee, the supervisor added by the supervisor."""
        return (DemoReviewer(reviewee, "self"),
                *(DemoReviewer(p, "peer", answers=i >= silent_peers) for i, p in enumerate(peers)),
                *(DemoReviewer(s, "subordinate", answers=i >= silent_subordinates) for i, s in enumerate(subordinates)),
                DemoReviewer(supervisor_of(reviewee), "supervisor", via="supervisor"))

    def only_self_answered(reviewers: tuple[DemoReviewer, ...]) -> tuple[DemoReviewer, ...]:
        return tuple(replace(r, answers=r.relationship == "self") for r in reviewers)

    secretary, field, waiting = sections[0], sections[1], sections[2]
    colleague = next(n for n in team if n != employee)
    peers_of_field = [n for n in sections if n != field][:3]
    dinkes_field = dinkes[1]
    return (
        DemoRound(secretary, CLOSED_PERIOD, "hr", everyone(secretary, sections[1:4], staff_of(secretary)[:3]), True),
        DemoRound(field, CLOSED_PERIOD, "supervisor",
                  everyone(field, peers_of_field, staff_of(field)[:3], silent_peers=1), True),
        DemoRound(employee, CLOSED_PERIOD, "supervisor", everyone(employee, [n for n in team if n != employee], ()),
                  True),
        DemoRound(dinkes_field, CLOSED_PERIOD, "hr",
                  everyone(dinkes_field, [n for n in dinkes if n != dinkes_field][:3], staff_of(dinkes_field)[:3],
                           silent_subordinates=1), True),
        DemoRound(waiting, OPEN_PERIOD, "supervisor", (
            DemoReviewer(waiting, "self"),
            *(DemoReviewer(n, "peer", answers=n == secretary) for n in (secretary, field, sections[3])),
            DemoReviewer(sections[4], "peer", answers=False, declines=DECLINE_REASON),
            DemoReviewer(head, "supervisor", via="supervisor", answers=False)), False),
        DemoRound(colleague, OPEN_PERIOD, "hr",
                  only_self_answered(everyone(colleague, [n for n in team if n != colleague], ())), False),
        DemoRound(employee, OPEN_PERIOD, "hr",
                  tuple(replace(r, answers=False) for r in everyone(employee, [n for n in team if n != employee], ())
                        if r.via == "reviewee"), False, approved=False),
    )

def load_feedback(jejak: Jejak, plan: DemoPlan, cast: Cast, tick: Callable[[int], None]) -> int:
    """Run each planned round not yet opened (by reviewee and period) through the service, as its people would."""
    added = 0
    for demo_round in plan.feedback_rounds:
        reviewee = cast.people[demo_round.reviewee_nip]
        if not jejak.ledger.exists(RoundSlot.id_for(cast.ids[reviewee.nip], demo_round.period)):
            boss = cast.person(reviewee.supervisor_nip or "")
            _run_round(jejak, demo_round, cast.ids, cast.person, cast.hr, boss)
            added += 1
        tick(1)
    return added


def _run_round(jejak: Jejak, demo_round: DemoRound, ids: Mapping[str, UUID], person: Callable[[str], Actor],
               hr: Callable[[], Actor], boss: Actor) -> None:
    fb = jejak.feedback
    days = CLOSED_ROUND_DAYS if demo_round.closed else OPEN_ROUND_DAYS
    opener = hr() if demo_round.opened_by == "hr" else boss
    rid = fb.open_round(opener, ids[demo_round.reviewee_nip], demo_round.period, fb.today() + timedelta(days=days)).id
    proposed = [r for r in demo_round.reviewers if r.via == "reviewee"]
    nominations = fb.propose(person(demo_round.reviewee_nip), rid, [(ids[r.nip], r.relationship) for r in proposed])
    if demo_round.approved:
        for nomination_id in nominations:
            fb.approve(boss, rid, nomination_id)
    for r in demo_round.reviewers:
        if r.via == "supervisor":
            fb.add(boss, rid, ids[r.nip], r.relationship)
    for r, nomination_id in zip(proposed, nominations, strict=True):
        if r.declines:
            fb.decline(person(r.nip), rid, nomination_id, r.declines)
    question_set = fb.round(rid).questions()
    for r in demo_round.reviewers:
        if r.answers and not r.declines and (demo_round.approved or r.via == "supervisor"):
            ratings, comments = _answers(demo_round, r, question_set.rating_ids())
            fb.submit(person(r.nip), rid, ratings, comments)
    if demo_round.closed:
        fb.close(hr(), rid, CLOSING_REASON)


def _answers(demo_round: DemoRound, reviewer: DemoReviewer, rating_ids: Sequence[str]
             ) -> tuple[dict[str, int], dict[str, str]]:
    """Plausible, deterministic answers: each reviewee has a level, each reviewer a little spread around it."""
    level = random.Random(f"{demo_round.reviewee_nip}:{demo_round.period}").choice((3, 4, 4))
    rng = random.Random(f"{demo_round.reviewee_nip}:{demo_round.period}:{reviewer.nip}")
    ratings = {qid: min(5, max(1, level + rng.choice((-1, 0, 0, 0, 1)))) for qid in rating_ids}
    comments = {"strengths": rng.choice(STRENGTHS)}
    if rng.random() < 0.6:
        comments["to_develop"] = rng.choice(TO_DEVELOP)
    return ratings, comments

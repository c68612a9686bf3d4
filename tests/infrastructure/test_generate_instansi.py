"""The province-size generator: every kind of record, valid through the domain, the same ledger for the same seed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from eventsourcing.utils import get_topic

from application.actor import system_actor
from bench.generate_instansi import generate, generate_sharded, settings
from domain.appraisal import Appraisal
from domain.dialogue import Dialogue
from domain.employee import Employee
from domain.feedback_round import FeedbackRound
from domain.promotion_case import PromotionCase
from infrastructure.container import Jejak

KINDS = {"registrations", "moves", "position changes", "appraisals", "trainings", "360 rounds", "dialogues"}


def generated(path: Path, promotions: bool = False) -> tuple[Jejak, dict[str, int]]:
    jejak = Jejak(settings(path, None))
    jejak.init(system_actor("test"))
    return jejak, generate(jejak, 60, 2, seed=5, first_year=2024, promotions=promotions)


def topics(jejak: Jejak) -> list[str]:
    return [n.topic for n in jejak.ledger.recorder.select_notifications(start=1, limit=10**6)]


def test_the_same_seed_gives_the_same_ledger_and_every_kind_of_record(tmp_path: Path) -> None:
    first, stats = generated(tmp_path / "a" / "jejak.db", promotions=True)
    second, again = generated(tmp_path / "b" / "jejak.db", promotions=True)
    try:
        assert KINDS <= set(stats) and stats == again
        assert topics(first) == topics(second)
        counted = Counter(topics(first))
        assert counted[get_topic(Appraisal.Finalised)] == stats["appraisals"]
        assert counted[get_topic(FeedbackRound.Closed)] == stats["360 rounds"]
        assert counted[get_topic(Appraisal.NoteRecorded)] == 12 * stats["appraisals"]  # a coaching note a month
        assert counted[get_topic(Dialogue.Recorded)] == counted[get_topic(Dialogue.ActionDone)] == stats["dialogues"]
        assert counted[get_topic(PromotionCase.Proposed)] == stats.get("promotion cases", 0) > 0
        assert first.verifier.verify().as_dict()["status"] == "unverified"  # nothing broken (no trusted key here)
    finally:
        first.close()
        second.close()


def events(jejak: Jejak, after: int) -> list[tuple[str, str, int, dict[str, object]]]:
    """Every event stored after a position: topic, aggregate id, version and state without its recording time."""
    stored = jejak.ledger.recorder.select_notifications(start=after + 1, limit=10**6)
    return [(n.topic, str(n.originator_id), n.originator_version,
             {k: v for k, v in json.loads(n.state).items() if k != "timestamp"}) for n in stored]


def test_two_runs_with_the_same_seed_store_the_same_events_and_another_seed_does_not(tmp_path: Path) -> None:
    runs = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        jejak = Jejak(settings(tmp_path / name / "jejak.db", None))
        jejak.init(system_actor("test"))
        before = jejak.projections.head()
        generate(jejak, 40, 2, seed=seed, first_year=2024, promotions=True)
        runs.append(events(jejak, before))
        jejak.close()
    first, second, other = runs
    assert len(first) > 2_000 and any(e[0] == get_topic(PromotionCase.Decided) for e in first)
    assert first == second  # same ids, versions, topics and payloads (stamps included), in the same order
    registered = get_topic(Employee.Registered)
    assert {e[1] for e in first if e[0] == registered}.isdisjoint({e[1] for e in other if e[0] == registered})


def test_two_shards_store_in_turns_so_the_same_seed_gives_the_same_ledger(tmp_path: Path) -> None:
    runs = []
    for name in ("a", "b"):
        config = settings(tmp_path / name / "jejak.db", None)
        jejak = Jejak(config)
        jejak.init(system_actor("test"))
        before = jejak.projections.head()
        jejak.close()
        stats = generate_sharded(config, 40, 2, seed=5, first_year=2024, promotions=True, shards=2)
        jejak = Jejak(config)
        runs.append(events(jejak, before))
        jejak.close()
    first, second = runs
    assert stats["registrations"] == 40 and len(first) > 2_000
    assert first == second
    nips = [e[3]["nip"] for e in first if e[0] == get_topic(Employee.Registered)]
    assert len(nips) == len(set(nips)) == 40  # the shards' NIPs never collide


def _spans(stored: list[tuple[str, str, int, dict[str, object]]], topic_prefix: str) -> list[int]:
    """For each aggregate whose topic starts with the prefix: how many positions its events of the log span."""
    where: dict[str, list[int]] = {}
    for position, (topic, originator, _version, _state) in enumerate(stored):
        if topic.startswith(topic_prefix):
            where.setdefault(originator, []).append(position)
    return [p[-1] - p[0] + 1 - len(p) for p in where.values()]  # other events between its first and last


def test_a_years_events_are_stored_in_the_order_they_happen_not_an_aggregate_at_a_time(tmp_path: Path) -> None:
    runs = {}
    for name, interleave in (("spread", True), ("contiguous", False)):
        jejak = Jejak(settings(tmp_path / name / "jejak.db", None))
        jejak.init(system_actor("test"))
        before = jejak.projections.head()
        generate(jejak, 40, 2, seed=5, first_year=2024, promotions=False, interleave=interleave)
        runs[name] = events(jejak, before)
        jejak.close()
    appraisal = get_topic(Appraisal.Opened).rsplit(".", 1)[0]
    spread, contiguous = _spans(runs["spread"], appraisal), _spans(runs["contiguous"], appraisal)
    assert max(contiguous) == 0  # written an aggregate at a time: nothing between an appraisal's events
    assert min(spread) > 100  # over the year: each appraisal's events lie among many others
    # the same events either way, each aggregate's in its own order
    assert sorted(runs["spread"], key=lambda e: (e[1], e[2])) == sorted(runs["contiguous"], key=lambda e: (e[1], e[2]))
    versions: dict[str, int] = {}
    for _topic, originator, version, _state in runs["spread"]:
        assert version == versions.get(originator, 0) + 1
        versions[originator] = version

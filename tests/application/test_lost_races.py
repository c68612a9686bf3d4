"""A command that lost a race to another writer of the same aggregate runs again on the winner's state, unless it
had already written something."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import pytest

from application.actor import Actor
from application.errors import Conflict, LostRace, PreconditionFailed
from application.ledger import RACE_ATTEMPTS, Ledger, rerun_lost_races
from domain.unit import Unit
from infrastructure.container import Jejak


@contextmanager
def a_rival_writes_first(jejak: Jejak, write: Callable[[Ledger], None], times: int = 1) -> Iterator[list[int]]:
    """Just before each of this process's next ``times`` writes, another process's ledger writes ``write`` to the
    same database (as a second web worker would); yields the list of writes it made."""
    rival = Ledger(env=jejak.settings.eventsourcing_env())
    made: list[int] = []

    def interleave(events: Sequence[Any], aggregates: Mapping[UUID, Any]) -> dict[str, Any]:
        if len(made) < times:
            made.append(1)
            # In a thread of its own, as another process would: what this one wrote is counted per context.
            rival_thread = threading.Thread(target=write, args=(rival,))
            rival_thread.start()
            rival_thread.join()
        return {}

    jejak.ledger.write_policies.insert(0, interleave)
    try:
        yield made
    finally:
        jejak.ledger.write_policies.remove(interleave)
        rival.close()


def rename_by_rival(code: str, name: str, hr: Actor) -> Callable[[Ledger], None]:
    """A rival's rename of a unit."""

    def write(rival: Ledger) -> None:
        unit = rival.load(Unit, Unit.id_for(code))
        unit.rename(name, "rival")
        rival.record(hr, unit)

    return write


def test_a_rename_that_lost_a_race_runs_again_after_the_winners_rename(jejak: Jejak, hr: Actor) -> None:
    jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian")
    jejak.ledger.load(Unit, Unit.id_for("BKPSDM"))  # cached at version 1, as a busy process would hold it

    with a_rival_writes_first(jejak, rename_by_rival("BKPSDM", "Rival", hr)) as rival_writes:
        saved = rerun_lost_races(lambda: jejak.registry.rename_unit(hr, "BKPSDM", "Mine", "mine"))

    assert rival_writes == [1] and saved.version == 3
    assert [e.name for e in jejak.ledger.history(Unit.id_for("BKPSDM"))[1:]] == ["Rival", "Mine"]


def test_without_the_rerun_a_lost_race_is_a_409_and_nothing_is_written(jejak: Jejak, hr: Actor) -> None:
    jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian")

    with a_rival_writes_first(jejak, rename_by_rival("BKPSDM", "Rival", hr)), pytest.raises(LostRace):
        jejak.registry.rename_unit(hr, "BKPSDM", "Mine", "mine")

    assert [e.name for e in jejak.ledger.history(Unit.id_for("BKPSDM"))[1:]] == ["Rival"]


def test_a_rerun_with_an_expected_version_that_no_longer_holds_is_a_precondition_failure(
        jejak: Jejak, hr: Actor) -> None:
    jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian")

    with a_rival_writes_first(jejak, rename_by_rival("BKPSDM", "Rival", hr)), pytest.raises(PreconditionFailed):
        rerun_lost_races(lambda: jejak.registry.rename_unit(hr, "BKPSDM", "Mine", "mine", expected_version=1))

    assert len(jejak.ledger.history(Unit.id_for("BKPSDM"))) == 2


def test_a_registration_that_lost_to_the_same_registration_is_a_conflict_naming_the_field(
        jejak: Jejak, hr: Actor) -> None:
    def register_same(rival: Ledger) -> None:
        rival.record(hr, Unit.register("DINKES", "Dinas Kesehatan"))

    with a_rival_writes_first(jejak, register_same), pytest.raises(Conflict) as raised:
        rerun_lost_races(lambda: jejak.registry.register_unit(hr, "DINKES", "Dinas Kesehatan (kedua)"))

    assert not isinstance(raised.value, LostRace) and raised.value.details == {"field": "code"}


def test_a_command_that_keeps_losing_gives_up_with_a_409_after_a_bounded_number_of_runs(
        jejak: Jejak, hr: Actor) -> None:
    jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian")

    with (a_rival_writes_first(jejak, rename_by_rival("BKPSDM", "Rival", hr), times=RACE_ATTEMPTS) as rival_writes,
          pytest.raises(LostRace)):
        rerun_lost_races(lambda: jejak.registry.rename_unit(hr, "BKPSDM", "Mine", "mine"))

    assert len(rival_writes) == RACE_ATTEMPTS
    assert len(jejak.ledger.history(Unit.id_for("BKPSDM"))) == 1 + RACE_ATTEMPTS


def test_a_command_that_wrote_before_it_lost_is_not_run_again(jejak: Jejak, hr: Actor) -> None:
    jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian")
    jejak.registry.register_unit(hr, "DINKES", "Dinas Kesehatan")
    runs: list[int] = []

    def two_writes() -> None:
        runs.append(1)
        jejak.registry.rename_unit(hr, "DINKES", "Dinas Kesehatan Daerah", "first write")
        with a_rival_writes_first(jejak, rename_by_rival("BKPSDM", "Rival", hr)):
            jejak.registry.rename_unit(hr, "BKPSDM", "Mine", "second write")

    with pytest.raises(LostRace):
        rerun_lost_races(two_writes)

    assert runs == [1] and len(jejak.ledger.history(Unit.id_for("DINKES"))) == 2

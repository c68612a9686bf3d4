"""Employee aggregate: registration and career changes with TMT and reason."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.employee import (
    EffectiveDateTooEarly,
    Employee,
    NoChange,
    ReasonRequired,
    SupervisorCycle,
)
from domain.ranks import RANK_CODES, UnknownRank, next_rank


def register(**overrides: object) -> Employee:
    values: dict[str, object] = dict(nip="198503152010011001", name="Budi Santoso", unit="BKPSDM",
                                     position="Analis Kepegawaian", rank="III/a", rank_since=date(2010, 1, 1))
    values.update(overrides)
    return Employee.register(**values)  # type: ignore[arg-type]


def test_registration_derives_sex_and_birth_date_from_the_nip() -> None:
    emp = register()
    assert (emp.sex, emp.birth_date, emp.service_start) == ("M", date(1985, 3, 15), date(2010, 1, 1))


def test_there_are_seventeen_ranks_from_juru_muda_to_pembina_utama() -> None:
    assert len(RANK_CODES) == 17 and RANK_CODES[0] == "I/a" and RANK_CODES[-1] == "IV/e"
    assert next_rank("III/d") == "IV/a" and next_rank("IV/e") is None


def test_an_unknown_rank_is_refused() -> None:
    with pytest.raises(UnknownRank):
        register(rank="III/f")


def test_a_rank_cannot_start_before_the_start_of_service() -> None:
    with pytest.raises(EffectiveDateTooEarly):
        register(rank_since=date(2009, 12, 31))


def test_a_move_records_unit_effective_date_and_reason() -> None:
    emp = register()
    emp.move("DINKES", date(2020, 1, 1), "mutasi")
    event = emp.collect_events()[-1]
    assert isinstance(event, Employee.Moved)
    assert (event.unit, event.effective, event.reason) == ("DINKES", date(2020, 1, 1), "mutasi")
    assert (emp.unit, emp.unit_since, emp.version) == ("DINKES", date(2020, 1, 1), 2)


def test_a_change_without_a_reason_is_refused() -> None:
    with pytest.raises(ReasonRequired):
        register().change_position("Kepala Sub Bagian", date(2021, 1, 1), "  ")


def test_a_change_to_the_same_value_is_refused() -> None:
    with pytest.raises(NoChange):
        register().move("BKPSDM", date(2021, 1, 1), "no-op")


def test_a_rank_change_cannot_take_effect_before_the_current_rank() -> None:
    emp = register()
    with pytest.raises(EffectiveDateTooEarly):
        emp.change_rank("III/b", date(2009, 1, 1), "KP")


def test_a_rank_change_names_its_cause() -> None:
    emp = register()
    emp.change_rank("III/b", date(2014, 4, 1), "kenaikan pangkat reguler", cause="promotion-case:42")
    event = emp.collect_events()[-1]
    assert isinstance(event, Employee.RankChanged) and event.cause == "promotion-case:42"


def test_an_employee_cannot_supervise_themself() -> None:
    emp = register()
    with pytest.raises(SupervisorCycle):
        emp.change_supervisor(emp.id, date(2020, 1, 1), "x")


def test_a_supervisor_whose_chain_reaches_the_employee_is_refused() -> None:
    emp = register()
    boss = uuid4()
    with pytest.raises(SupervisorCycle):
        emp.change_supervisor(boss, date(2020, 1, 1), "x", supervisor_chain=[boss, uuid4(), emp.id])


def test_replaying_the_events_gives_the_same_state() -> None:
    emp = register()
    emp.change_rank("III/b", date(2014, 4, 1), "KP")
    emp.change_position("Kepala Sub Bagian", date(2016, 1, 1), "promosi jabatan")
    events = emp.collect_events()
    copy = None
    for event in events:
        copy = event.mutate(copy)
    assert copy is not None and vars(copy) == vars(emp)

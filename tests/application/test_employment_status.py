"""Employment status on the real stores: PPPK registration, status changes, the directory, no rank promotion,
and registrations stored before the status existed still loading (upcast) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from application.actor import system_actor
from application.queries.filters import EmployeeFilter
from domain.employee import Employee
from domain.employment import NoRankPromotion
from domain.nip import InvalidNip
from infrastructure.container import Jejak
from tests.legacy import store_in_old_shape
from tests.promotions import HR

ACTOR = system_actor("test-setup")
NI_PPPK = "198902252024211013"


@pytest.fixture
def unit(jejak: Jejak) -> str:
    jejak.registry.register_unit(ACTOR, "DISHUB", "Dinas Perhubungan")
    return "DISHUB"


def register_pppk(jejak: Jejak, unit: str) -> Employee:
    saved = jejak.registry.register_employee(ACTOR, nip=NI_PPPK, name="Rudi Hartono", unit=unit,
                                             position="Pranata Komputer Ahli Pertama", rank="IX",
                                             rank_since=date(2024, 3, 1), status="PPPK",
                                             status_since=date(2024, 3, 1))
    return jejak.registry.employee(saved.id)


def test_a_pppk_is_registered_and_listed_with_status_and_grade(jejak: Jejak, unit: str) -> None:
    rudi = register_pppk(jejak, unit)
    jejak.registry.register_employee(ACTOR, nip="198503152010011001", name="Budi Santoso", unit=unit,
                                     position="Analis", rank="III/c", rank_since=date(2018, 4, 1))

    pppk = jejak.directory.employees(EmployeeFilter(status="PPPK"), 10).items
    pns = jejak.directory.employees(EmployeeFilter(status="PNS"), 10).items

    assert [(r["id"], r["status"], r["status_since"], r["rank"]) for r in pppk] == [
        (rudi.id, "PPPK", date(2024, 3, 1), "IX")]
    assert [r["name"] for r in pns] == ["Budi Santoso"]


def test_an_ni_pppk_is_refused_for_a_pns_and_nothing_is_stored(jejak: Jejak, unit: str) -> None:
    head = jejak.projections.head()
    with pytest.raises(InvalidNip) as refused:
        jejak.registry.register_employee(ACTOR, nip=NI_PPPK, name="Rudi", unit=unit, position="Analis",
                                         rank="III/a", rank_since=date(2024, 3, 1))
    assert refused.value.field == "nip"
    assert jejak.projections.head() == head


def test_a_cpns_appointed_pns_shows_the_new_status_from_its_tmt(jejak: Jejak, unit: str) -> None:
    saved = jejak.registry.register_employee(ACTOR, nip="199801012024031001", name="Andi", unit=unit,
                                             position="Analis", rank="III/a", rank_since=date(2024, 3, 1),
                                             status="CPNS")
    jejak.registry.change_status(ACTOR, saved.id, "PNS", date(2025, 3, 1), "SK pengangkatan PNS")

    row = jejak.directory.employee(saved.id)
    assert row is not None and (row["status"], row["status_since"], row["version"]) == ("PNS", date(2025, 3, 1), 2)


def test_a_promotion_case_for_a_pppk_is_a_conflict_saying_why(jejak: Jejak, unit: str) -> None:
    rudi = register_pppk(jejak, unit)
    for kind, position in (("rank", None), ("position", "Pranata Komputer Ahli Muda")):
        with pytest.raises(NoRankPromotion) as refused:
            jejak.promotions.propose(HR, rudi.id, kind, "2026-10", "usulan", position)
        assert "PPPK" in refused.value.message


def test_a_registration_stored_before_employment_status_loads_as_pns(jejak: Jejak, unit: str) -> None:
    old = Employee.register(nip="198503152010011001", name="Budi Santoso", unit=unit, position="Analis",
                            rank="III/c", rank_since=date(2018, 4, 1))
    old_id = old.id
    store_in_old_shape(jejak, old.collect_events(), drop=("status", "status_since"))
    jejak.projections.catch_up()

    loaded = jejak.registry.employee(old_id)

    assert (loaded.status, loaded.status_since) == ("PNS", date(2010, 1, 1))
    row = jejak.directory.employee(old_id)
    assert row is not None and (row["status"], row["status_since"]) == ("PNS", date(2010, 1, 1))
    jejak.projections.rebuild("directory")  # the bulk fold reads the old shape too
    again = jejak.directory.employee(old_id)
    assert again is not None and again["status"] == "PNS" and again["status_since"] == date(2010, 1, 1)
    assert jejak.registry.employee(old_id).version == 1


def test_init_rebuilds_a_read_model_whose_table_predates_a_new_column(jejak: Jejak, unit: str) -> None:
    rudi = register_pppk(jejak, unit)
    with jejak.engine.begin() as conn:  # the directory table as the release before employment status made it
        conn.execute(text("ALTER TABLE directory_employees DROP COLUMN status_since"))
        conn.execute(text("ALTER TABLE directory_employees DROP COLUMN status"))

    jejak.init(ACTOR)

    row = jejak.directory.employee(rudi.id)
    assert row is not None and (row["status"], row["status_since"]) == ("PPPK", date(2024, 3, 1))

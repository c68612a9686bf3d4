"""Employment status (PNS, CPNS, PPPK), the NI PPPK and the PPPK grade, as DOMAIN.md "Employment status" states."""

from __future__ import annotations

from datetime import date

import pytest

from domain.employee import EffectiveDateTooEarly, Employee
from domain.employment import (
    GRADES,
    RankForStatus,
    StatusChangeNotAllowed,
    UnknownGrade,
    check_rank_for,
    golongan_order,
)
from domain.nip import InvalidNip, Nip

NI_PPPK = "198902252024211013"  # born 25 Feb 1989, appointed 2024, marker 21, male, serial 013


def test_an_ni_pppk_is_accepted_for_a_pppk_with_its_year_of_appointment() -> None:
    parsed = Nip.parse(NI_PPPK, date(2026, 12, 1), status="PPPK")
    assert (parsed.birth_date, parsed.service_start, parsed.sex, parsed.serial) == (
        date(1989, 2, 25), date(2024, 1, 1), "M", 13)


@pytest.mark.parametrize("status", ["PNS", "CPNS"])
def test_an_ni_pppk_is_refused_for_a_pns_or_cpns_naming_the_marker(status: str) -> None:
    with pytest.raises(InvalidNip) as refused:
        Nip.parse(NI_PPPK, status=status)
    assert refused.value.field == "nip"
    assert "21" in refused.value.message and "PPPK" in refused.value.message


def test_a_pns_nip_with_month_21_stays_invalid() -> None:
    with pytest.raises(InvalidNip) as refused:
        Nip.parse("198503152010211001")
    assert refused.value.field == "nip" and "digits 13-14" in refused.value.message


def test_a_pns_nip_is_refused_as_an_ni_pppk() -> None:
    with pytest.raises(InvalidNip) as refused:
        Nip.parse("198503152010011001", status="PPPK")
    assert refused.value.field == "nip" and "marker 21" in refused.value.message


@pytest.mark.parametrize("value,reason", [
    ("198902252024213013", "sex digit"),
    ("198902252024211000", "serial"),
    ("198902252000211013", "before age 18"),
    ("198902301990211013", "birth date"),
])
def test_a_broken_ni_pppk_names_the_part(value: str, reason: str) -> None:
    with pytest.raises(InvalidNip) as refused:
        Nip.parse(value, status="PPPK")
    assert reason in refused.value.message


def test_an_ni_pppk_appointed_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidNip, match="future"):
        Nip.parse("199001012030211001", today=date(2026, 12, 1), status="PPPK")


def test_pppk_grades_run_from_i_to_xvii_and_sort_after_the_pangkat() -> None:
    assert GRADES[0] == "I" and GRADES[-1] == "XVII" and len(GRADES) == 17
    assert golongan_order("IV/e") < golongan_order("I") < golongan_order("XVII")


def test_a_pppk_holds_a_grade_and_a_pns_a_pangkat() -> None:
    assert check_rank_for("PPPK", "IX") == "IX"
    assert check_rank_for("PNS", "III/a") == "III/a"
    with pytest.raises(RankForStatus) as pangkat_for_pppk:
        check_rank_for("PPPK", "III/a")
    assert pangkat_for_pppk.value.field == "grade"
    with pytest.raises(RankForStatus) as grade_for_pns:
        check_rank_for("PNS", "IX")
    assert grade_for_pns.value.field == "rank"
    with pytest.raises(UnknownGrade):
        check_rank_for("PPPK", "XVIII")


def pppk() -> Employee:
    return Employee.register(nip=NI_PPPK, name="Rudi Hartono", unit="DISHUB", position="Pranata Komputer",
                             rank="IX", rank_since=date(2024, 3, 1), status="PPPK", status_since=date(2024, 3, 1))


def test_a_pppk_registers_with_status_tmt_and_grade() -> None:
    employee = pppk()
    assert (employee.status, employee.status_since, employee.rank) == ("PPPK", date(2024, 3, 1), "IX")


def test_a_status_tmt_before_the_appointment_is_refused() -> None:
    with pytest.raises(EffectiveDateTooEarly):
        Employee.register(nip=NI_PPPK, name="Rudi", unit="DISHUB", position="Pranata Komputer", rank="IX",
                          rank_since=date(2024, 3, 1), status="PPPK", status_since=date(2023, 12, 1))


def test_a_cpns_is_appointed_pns_by_an_event_with_its_tmt() -> None:
    cpns = Employee.register(nip="199801012024031001", name="Andi", unit="DISHUB", position="Analis",
                             rank="III/a", rank_since=date(2024, 3, 1), status="CPNS")
    assert (cpns.status, cpns.status_since) == ("CPNS", date(2024, 3, 1))

    cpns.change_status("PNS", date(2025, 3, 1), "SK pengangkatan PNS 800/12/2025")

    assert (cpns.status, cpns.status_since) == ("PNS", date(2025, 3, 1))
    assert isinstance(cpns.collect_events()[-1], Employee.StatusChanged)


@pytest.mark.parametrize("start,new", [("PNS", "PPPK"), ("PNS", "CPNS"), ("PPPK", "PNS")])
def test_status_changes_the_law_does_not_know_are_conflicts(start: str, new: str) -> None:
    employee = pppk() if start == "PPPK" else Employee.register(
        nip="198503152010011001", name="Budi", unit="DISHUB", position="Analis", rank="III/a",
        rank_since=date(2010, 1, 1))
    with pytest.raises(StatusChangeNotAllowed) as refused:
        employee.change_status(new, date(2026, 1, 1), "koreksi")
    assert refused.value.field == "status"


def test_a_pppk_grade_change_takes_a_grade_not_a_pangkat() -> None:
    employee = pppk()
    employee.change_rank("X", date(2026, 1, 1), "perjanjian kerja baru")
    assert employee.rank == "X"
    with pytest.raises(RankForStatus):
        employee.change_rank("III/b", date(2026, 6, 1), "keliru")

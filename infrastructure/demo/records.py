"""The demo's service records (each employee's qualification and civil-service exams, from the job they entered
with) and its PPPK staff (a few government employees on a work agreement, with an NI PPPK and a grade)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from application.actor import Actor
from domain.access import Role
from domain.ranks import rank_index
from domain.service_record import ServiceRecord
from infrastructure.container import Jejak
from infrastructure.demo.shapes import DemoEmployee

# The education a civil servant enters with at each entry rank (PP 99/2000 art. 11); officials hold a master's.
EDUCATION_AT_ENTRY: Mapping[str, str] = {"I/a": "SD", "I/c": "SLTP", "II/a": "SLTA", "II/c": "D3", "III/a": "S1",
                                         "III/b": "S2"}
INSTITUTIONS: Mapping[str, str] = {
    "SD": "SD Negeri 1 Soreang", "SLTP": "SMP Negeri 2 Soreang", "SLTA": "SMA Negeri 1 Baleendah",
    "D3": "Politeknik Negeri Bandung", "S1": "Universitas Padjadjaran", "S2": "Institut Teknologi Bandung"}
# PPPK staff: unit, position, grade, year of appointment (TMT), sex digit, education
PPPK: tuple[tuple[str, str, str, int, str, str], ...] = (
    ("DINKES", "Perawat Ahli Pertama", "IX", 2023, "2", "S1"),
    ("DINKES", "Bidan Terampil", "VII", 2024, "2", "D3"),
    ("DISDIK", "Guru Ahli Pertama", "IX", 2022, "1", "S1"),
    ("DISDIK", "Guru Ahli Pertama", "IX", 2024, "2", "S1"),
    ("DPUPR", "Pranata Komputer Terampil", "VII", 2024, "1", "D3"),
)


def schooling(rank: str, entry: str, leader: bool, start: date, rank_since: date
              ) -> tuple[str, date, tuple[tuple[str, date], ...]]:
    """The highest qualification (a leader's master's degree, else the entry education) with its date, and the
    civil-service exams the career so far has crossed (I/d->II/a: tingkat I, II/d->III/a: tingkat II)."""
    education = "S2" if leader else EDUCATION_AT_ENTRY[entry]
    graduated = date(start.year - 1, 7, 31) if not leader else min(date(start.year + 6, 9, 30), rank_since)
    exams = []
    for exam, boundary in (("tingkat_I", "I/d"), ("tingkat_II", "II/d")):
        if rank_index(entry) <= rank_index(boundary) < rank_index(rank):
            exams.append((exam, min(date(start.year + 4, 11, 20), rank_since)))
    return education, graduated, tuple(exams)


def pppk_staff(builder: Any, people: Sequence[DemoEmployee]) -> tuple[DemoEmployee, ...]:
    """A few PPPK in the service units, each reporting to a head of section (a report of the unit's head); drawn
    after the PNS so their plan is unchanged."""
    by_nip = {e.nip: e for e in people}
    unit_heads = {e.nip for e in people if e.supervisor_nip is None or by_nip[e.supervisor_nip].unit != e.unit}
    sections: dict[str, str] = {}
    for e in people:
        if e.supervisor_nip in unit_heads and e.nip not in unit_heads:
            sections.setdefault(e.unit, e.nip)
    staff = []
    for i, (unit, position, grade, year, sex, education) in enumerate(PPPK):
        birth = date(1990 + i, 2 + i, 10 + i)
        nip = f"{birth:%Y%m%d}{year}21{sex}{101 + i:03d}"
        builder.nips.add(nip)
        staff.append(DemoEmployee(
            nip=nip, name=builder.name(sex == "2", ("", "")), unit=unit, position=position, rank=grade,
            rank_since=date(year, 3, 1), supervisor_nip=sections[unit], status="PPPK", education=education,
            graduated_on=date(birth.year + (22 if education == "S1" else 21), 8, 31)))
    return tuple(staff)


def load_service_records(jejak: Jejak, employees: Sequence[DemoEmployee], ids: Mapping[str, UUID],
                         tick: Callable[[int], None]) -> int:
    """HR records each employee's qualification and exams once; return how many records were opened."""
    hr = Actor(id="jejak-demo", role=Role.HR, name="Admin BKPSDM (demo)")
    added = 0
    for e in employees:
        if not e.education:
            continue
        if not jejak.ledger.exists(ServiceRecord.id_for(ids[e.nip])):
            assert e.graduated_on is not None
            jejak.service_records.enter_history(
                hr, ids[e.nip], [(e.education, INSTITUTIONS[e.education], e.graduated_on)],
                [(exam, passed_on, f"UD-{exam[-2:].strip('_')}/{passed_on.year}/{e.nip[-4:]}")
                 for exam, passed_on in e.exams])
            added += 1
        tick(1)
    return added

"""Potential assessments and the talent grid read from real final appraisals; mentoring and awards through the
ledger and the talent read model.

The office: Kepala Hadi heads BKPSDM; Siti reports to him and supervises the staff; Andi works in DINKES. Appraisals
are opened by HR and assessed and finalised by Siti through the appraisal service, so the grid reads the appraisal
read model exactly as the API does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from application.actor import Actor
from application.errors import Forbidden
from application.trainings import UnknownEmployee
from domain.mentoring import MentoringEnded, MentoringInvalid
from infrastructure.container import Jejak

TODAY = date(2026, 6, 15)
RATINGS = {  # predicate -> (work results, behaviour) under the default matrix
    "Sangat Baik": ("above", "above"),
    "Baik": ("as_expected", "as_expected"),
    "Butuh Perbaikan": ("below", "as_expected"),
    "Kurang": ("above", "below"),
    "Sangat Kurang": ("below", "below"),
}


def quiet(system: Jejak) -> Jejak:
    system.ledger.after_record.clear()
    for service in (system.talent, system.mentoring, system.recognition):
        service.today = lambda: TODAY
    return system


@pytest.fixture
def jejak(jejak: Jejak) -> Jejak:
    """Both backends; read models are caught up where a test reads them."""
    return quiet(jejak)


@pytest.fixture
def sqlite_jejak(sqlite_jejak: Jejak) -> Jejak:
    return quiet(sqlite_jejak)


@dataclass
class Office:
    jejak: Jejak
    hr: Actor
    hadi: UUID
    siti: UUID
    andi: UUID
    staff: dict[str, UUID] = field(default_factory=dict)

    def as_(self, employee_id: UUID, role: str = "employee") -> Actor:
        return Actor(id=f"emp-{employee_id}", role=role, name=f"Pegawai {employee_id}", employee_id=employee_id)

    @property
    def boss(self) -> Actor:
        return self.as_(self.siti, "supervisor")

    def hire(self, name: str, rank: str = "III/a") -> UUID:
        serial = len(self.staff) + 1
        nip = f"19900101201503{1 + serial % 2}{serial:03d}"
        self.staff[name] = self.jejak.registry.register_employee(
            self.hr, nip=nip, name=name, unit="BKPSDM", position="Analis SDM", rank=rank,
            rank_since=date(2015, 3, 1), supervisor_id=self.siti).id
        return self.staff[name]

    def final(self, employee: UUID, predicate: str, period: str = "2025") -> UUID:
        """An appraisal assessed by Siti to the predicate and finalised."""
        service = self.jejak.appraisals
        aid = service.open(self.hr, employee, period).id
        service.agree_target(self.boss, aid, "Menyelesaikan usulan mutasi", "usulan selesai tepat waktu")
        service.assess(self.boss, aid, *RATINGS[predicate])
        service.finalise(self.boss, aid)
        return aid

    def potential(self, employee: UUID, level: str, on: date = TODAY) -> UUID:
        return self.jejak.talent.assess_potential(self.boss, employee, level, "uji kompetensi", on).id

    def grid(self, unit: str = "BKPSDM", visible_to: set[UUID] | None = None) -> dict[str, Any]:
        self.jejak.projections.catch_up()
        talent = self.jejak.rules.in_effect(TODAY).rules.get("talent")
        return self.jejak.queries.careers.grid(unit, visible_to, talent)


def build_office(jejak: Jejak, hr: Actor) -> Office:
    reg = jejak.registry
    reg.register_unit(hr, "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM")
    reg.register_unit(hr, "DINKES", "Dinas Kesehatan")
    hadi = reg.register_employee(hr, nip="196805121995031001", name="Hadi Kusuma", unit="BKPSDM",
                                 position="Kepala Badan", rank="IV/c", rank_since=date(2015, 4, 1)).id
    siti = reg.register_employee(hr, nip="197805122005011002", name="Siti Rahmawati", unit="BKPSDM",
                                 position="Kepala Bidang", rank="IV/a", rank_since=date(2019, 4, 1),
                                 supervisor_id=hadi).id
    andi = reg.register_employee(hr, nip="198811172012121003", name="Andi Pratama", unit="DINKES",
                                 position="Perawat", rank="III/b", rank_since=date(2016, 10, 1)).id
    return Office(jejak, hr, hadi, siti, andi)


def members(grid: dict[str, Any]) -> dict[int, list[str]]:
    return {box["box"]: [m["name"] for m in box["members"]] for box in grid["boxes"]}


# --- the grid on both backends ------------------------------------------------------------------------------------


def test_the_grid_reads_the_latest_final_annual_predicate_and_the_latest_potential(jejak: Jejak, hr: Actor) -> None:
    office = build_office(jejak, hr)
    dewi, budi, rina = office.hire("Dewi"), office.hire("Budi"), office.hire("Rina")
    office.final(dewi, "Sangat Baik", "2024")
    office.final(dewi, "Baik", "2025")  # the latest annual counts, not the best
    office.final(dewi, "Sangat Kurang", "2026-Q1")  # quarterly: not annual
    office.potential(dewi, "low", date(2026, 1, 5))
    office.potential(dewi, "high", date(2026, 3, 1))
    office.potential(dewi, "middle", date(2026, 2, 1))  # recorded last, assessed earlier: superseded
    objected = office.final(budi, "Butuh Perbaikan")
    jejak.appraisals.object(office.as_(budi), objected, "target tambahan tidak diperhitungkan")
    jejak.appraisals.decide(office.as_(office.hadi, "supervisor"), objected, "upheld", "Sangat Baik",
                            "bukti capaian target tambahan lengkap")
    office.potential(budi, "high")
    jejak.appraisals.open(hr, rina, "2025")  # open, never finalised
    office.potential(rina, "high")

    grid = office.grid()

    assert members(grid)[8] == ["Dewi"]  # as expected x high
    assert members(grid)[9] == ["Budi"]  # the upheld objection's predicate
    unplaced = {m["name"]: m["missing"] for m in grid["unplaced"]}
    assert unplaced == {"Rina": ["performance"], "Hadi Kusuma": ["performance", "potential"],
                        "Siti Rahmawati": ["performance", "potential"]}
    dewi_entry = next(m for b in grid["boxes"] for m in b["members"] if m["name"] == "Dewi")
    assert (dewi_entry["predicate"], dewi_entry["potential_assessed_on"]) == ("Baik", date(2026, 3, 1))


# --- SQLite only --------------------------------------------------------------------------------------------------


def test_the_grid_places_an_employee_in_each_of_the_nine_boxes(sqlite_jejak: Jejak, hr: Actor) -> None:
    office = build_office(sqlite_jejak, hr)
    # DOMAIN.md "Talent 9-box", as the rule set in effect carries it
    cells = [("Sangat Baik", "high", 9), ("Baik", "high", 8), ("Sangat Baik", "middle", 7),
             ("Butuh Perbaikan", "high", 6), ("Baik", "middle", 5), ("Sangat Baik", "low", 4),
             ("Kurang", "middle", 3), ("Baik", "low", 2), ("Sangat Kurang", "low", 1)]
    for predicate, potential, box in cells:
        employee = office.hire(f"Box {box}")
        office.final(employee, predicate)
        office.potential(employee, potential)

    grid = office.grid()

    assert [b["box"] for b in grid["boxes"]] == list(range(9, 0, -1))
    assert members(grid) == {box: [f"Box {box}"] for box in range(1, 10)}
    assert [(b["performance"], b["potential"], b["count"]) for b in grid["boxes"]][0] == ("above", "high", 1)
    assert [b["box"] for b in grid["boxes"] if b["talent_pool"]] == [9, 8, 7]
    assert "Siap dipromosikan" in grid["boxes"][0]["follow_up"] and "Bimbingan kinerja" in grid["boxes"][-1][
        "follow_up"]
    assert (grid["employees"], grid["placed"]) == (11, 9)
    assert "Andi Pratama" not in str(grid)  # another unit


def test_a_supervisors_view_of_the_grid_holds_only_the_people_given(sqlite_jejak: Jejak, hr: Actor) -> None:
    office = build_office(sqlite_jejak, hr)
    dewi = office.hire("Dewi")

    grid = office.grid(visible_to={dewi})

    assert grid["employees"] == 1
    assert [m["name"] for m in grid["unplaced"]] == ["Dewi"]


def test_the_supervisor_or_hr_assess_potential_and_nobody_else(sqlite_jejak: Jejak, hr: Actor) -> None:
    office = build_office(sqlite_jejak, hr)
    dewi, budi = office.hire("Dewi"), office.hire("Budi")
    talent = sqlite_jejak.talent

    by_boss = talent.assess_potential(office.boss, dewi, "high", "uji kompetensi manajerial")
    by_hr = talent.assess_potential(hr, dewi, "middle", "assessment center BKN")
    for stranger in (office.as_(budi), office.as_(dewi), office.as_(office.hadi, "supervisor")):
        with pytest.raises(Forbidden):
            talent.assess_potential(stranger, dewi, "low", "kesan pribadi")
    with pytest.raises(UnknownEmployee):
        talent.assess_potential(hr, UUID(int=1), "low", "uji")

    assert (by_boss.assessor_id, by_boss.assessed_on) == (office.siti, TODAY)
    assert (by_hr.assessor_id, by_hr.assessor_name) == (None, hr.name)


# --- mentoring and awards -----------------------------------------------------------------------------------------


def test_a_mentoring_assignment_from_assignment_to_its_end(sqlite_jejak: Jejak, hr: Actor) -> None:
    office = build_office(sqlite_jejak, hr)
    dewi = office.hire("Dewi", "III/a")
    service = sqlite_jejak.mentoring
    mentor = office.as_(office.siti, "supervisor")

    mentoring = service.assign(office.boss, office.siti, dewi, ["menyusun kajian kebijakan"], date(2026, 2, 1))
    service.log_session(mentor, mentoring.id, date(2026, 2, 10), "membahas kerangka kajian")
    service.log_session(office.as_(dewi), mentoring.id, date(2026, 3, 2), "presentasi draf")
    service.log_session(hr, mentoring.id, date(2026, 2, 20), "dicatat HR")
    with pytest.raises(Forbidden):
        service.end(office.as_(dewi), mentoring.id, "selesai")
    service.end(mentor, mentoring.id, "kajian selesai dan dipresentasikan", expected_version=4)
    with pytest.raises(MentoringEnded):
        service.log_session(mentor, mentoring.id, TODAY, "terlambat")
    sqlite_jejak.projections.catch_up()

    row = sqlite_jejak.talent_view.mentoring(mentoring.id)
    assert row is not None
    assert (row["mentor_rank"], row["mentee_rank"], row["goals"]) == ("IV/a", "III/a", ["menyusun kajian kebijakan"])
    assert (row["status"], row["sessions"], row["last_session_on"], row["version"]) == (
        "ended", 3, date(2026, 3, 2), 5)
    assert [(s["held_on"], s["logged_by"]) for s in row["session_log"]] == [
        (date(2026, 2, 10), "mentor"), (date(2026, 2, 20), "hr"), (date(2026, 3, 2), "mentee")]
    assert [m["id"] for m in sqlite_jejak.talent_view.mentorings(dewi, None, 10)] == [mentoring.id]


def test_only_the_mentees_supervisor_or_hr_assign_a_mentor_of_a_higher_rank(sqlite_jejak: Jejak, hr: Actor) -> None:
    office = build_office(sqlite_jejak, hr)
    dewi, budi = office.hire("Dewi", "III/a"), office.hire("Budi", "III/b")
    service = sqlite_jejak.mentoring

    with pytest.raises(Forbidden):
        service.assign(office.as_(budi), budi, dewi, ["kajian"])
    with pytest.raises(Forbidden):
        service.assign(office.as_(office.hadi, "supervisor"), office.siti, dewi, ["kajian"])
    with pytest.raises(MentoringInvalid) as lower:
        service.assign(hr, dewi, budi, ["kajian"])
    with pytest.raises(UnknownEmployee) as unknown:
        service.assign(hr, UUID(int=3), dewi, ["kajian"])
    assigned = service.assign(office.boss, budi, dewi, ["kajian"])

    assert set(lower.value.errors) == set(unknown.value.errors) == {"mentor_id"}
    assert assigned.starts_on == TODAY
    with pytest.raises(Forbidden):
        service.log_session(office.as_(office.andi), assigned.id, TODAY, "bukan peserta")


def test_the_supervisor_or_hr_grant_awards_and_they_are_listed_per_employee(sqlite_jejak: Jejak, hr: Actor) -> None:
    office = build_office(sqlite_jejak, hr)
    dewi, budi = office.hire("Dewi"), office.hire("Budi")
    service = sqlite_jejak.recognition

    first = service.grant(office.boss, dewi, "innovation", "Inovasi Layanan", "antrean daring", date(2026, 1, 10))
    second = service.grant(hr, dewi, "exemplary", "Pegawai Teladan 2026", "disiplin dan teladan")
    for stranger in (office.as_(budi), office.as_(dewi), office.as_(office.hadi, "supervisor")):
        with pytest.raises(Forbidden):
            service.grant(stranger, dewi, "other", "Terima kasih", "bantuan")
    sqlite_jejak.projections.catch_up()

    listed = sqlite_jejak.talent_view.awards(dewi, 10)
    assert [a["id"] for a in listed] == [second.id, first.id]
    assert (listed[1]["granted_by_id"], listed[0]["granted_by_id"]) == (office.siti, None)
    assert sqlite_jejak.talent_view.awards(budi, 10) == []

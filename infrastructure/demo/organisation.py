"""The demo's people drawn deterministically from a seed (names from the region's cultures, jobs fitting each
rank), the whole plan built from it, and its units and employees registered."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from uuid import UUID

from application.actor import Actor
from application.errors import NotFound
from domain.ranks import rank_index
from domain.unit import Unit
from infrastructure.container import Jejak
from infrastructure.demo.career import career_plan
from infrastructure.demo.development import development_plan
from infrastructure.demo.feedback import feedback_plan
from infrastructure.demo.instansi import (
    AGE_AT_ENTRY,
    COMMON_JOBS,
    CULTURES,
    LADDERS,
    STAFF_RANK_WEIGHTS,
    UNITS,
    Job,
    UnitSpec,
)
from infrastructure.demo.promotions import promotion_plan
from infrastructure.demo.records import pppk_staff, schooling
from infrastructure.demo.shapes import (
    DEFAULT_SEED,
    HR_UNIT,
    INSTANSI,
    LAST_YEAR,
    LATEST_BIRTH_YEAR,
    LEADER_MIN_BIRTH_YEAR,
    STAFF_MIN_BIRTH_YEAR,
    DemoEmployee,
    DemoPlan,
    DemoUnit,
)

# ---------------------------------------------------------------- plan: building


class _Builder:
    """Draws people for the plan from one seeded generator, keeping NIPs and names unique."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.nips: set[str] = set()
        self.names: set[str] = set()
        self.people: list[DemoEmployee] = []

    def leader(self, unit: UnitSpec, position: str, ranks: Sequence[str], supervisor: str | None) -> DemoEmployee:
        """Add a structural official (head of unit or of a section) with a graduate degree."""
        rank = self.rng.choice(ranks)
        return self.person(unit, position, rank, "III/a", self.rng.choice(unit.leader_gelar), supervisor, leader=True)

    def staff(self, unit: UnitSpec, rank: str, supervisor: str) -> DemoEmployee:
        """Add a staff member holding a job that fits the rank."""
        job = _pick_job(self.rng, unit, rank)
        return self.person(unit, _job_title(job, rank), rank, job.entry, job.gelar, supervisor)

    def person(
        self,
        unit: UnitSpec,
        position: str,
        rank: str,
        entry: str,
        gelar: tuple[str, str],
        supervisor: str | None,
        leader: bool = False,
    ) -> DemoEmployee:
        """Add one employee with a career consistent with the rank, and return it."""
        female = self.rng.random() < unit.female_share
        birth, start, rank_since = self.career(rank, entry, leader)
        education, graduated_on, exams = schooling(rank, entry, leader, start, rank_since)
        employee = DemoEmployee(
            nip=self.nip(birth, start, female),
            name=self.name(female, gelar),
            unit=unit.code,
            position=position,
            rank=rank,
            rank_since=rank_since,
            supervisor_nip=supervisor,
            education=education,
            graduated_on=graduated_on,
            exams=exams,
        )
        self.people.append(employee)
        return employee

    def career(self, rank: str, entry: str, leader: bool) -> tuple[date, date, date]:
        """Birth date, start of service and date of the current rank, about 4 years per promotion."""
        promotions = rank_index(rank) - rank_index(entry)
        min_birth = LEADER_MIN_BIRTH_YEAR if leader else STAFF_MIN_BIRTH_YEAR
        if promotions <= 0:
            start = date(self.rng.randint(LAST_YEAR - 6, LAST_YEAR), self.rng.randint(1, 12), 1)
            rank_since = start
        else:
            rank_since = self.promotion_date()
            intervals = (4, 4, 4, 4, 5) if leader else (4, 4, 4, 5, 6)
            years = sum(self.rng.choice(intervals) for _ in range(promotions))
            years = min(years, rank_since.year - (min_birth + AGE_AT_ENTRY[entry][0]))
            start = date(rank_since.year - years, self.rng.randint(1, rank_since.month), 1)
        low, high = AGE_AT_ENTRY[entry]
        birth_year = start.year - self.rng.randint(low, high)
        birth_year = max(min_birth, min(birth_year, LATEST_BIRTH_YEAR, start.year - 19))
        birth = date(birth_year, self.rng.randint(1, 12), self.rng.randint(1, 28))
        return birth, start, rank_since

    def promotion_date(self) -> date:
        """A promotion TMT in the last five years: April/October, every other month since 2024."""
        year = self.rng.randint(LAST_YEAR - 4, LAST_YEAR)
        months = (4, 10) if year < 2024 else (2, 4, 6, 8, 10, 12)
        return date(year, self.rng.choice(months), 1)

    def nip(self, birth: date, start: date, female: bool) -> str:
        """A NIP not used before in the plan."""
        prefix = f"{birth:%Y%m%d}{start:%Y%m}{2 if female else 1}"
        while True:
            nip = f"{prefix}{self.rng.randint(1, 999):03d}"
            if nip not in self.nips:
                self.nips.add(nip)
                return nip

    def name(self, female: bool, gelar: tuple[str, str]) -> str:
        """A regional name matching the sex, with academic titles, not used before in the plan."""
        while True:
            culture = self.rng.choices(CULTURES, weights=[c.weight for c in CULTURES])[0]
            given = self.rng.choice(culture.female if female else culture.male)
            last = self.rng.choice(culture.female_last if female else culture.male_last)
            if last.startswith(given.split()[-1]):  # "Wulan Wulandari" reads as a typo
                continue
            plain = f"{given} {last}"
            if plain not in self.names:
                self.names.add(plain)
                return _with_gelar(plain, gelar)


def _with_gelar(name: str, gelar: tuple[str, str]) -> str:
    prefix, suffix = gelar
    return f"{prefix + ' ' if prefix else ''}{name}{', ' + suffix if suffix else ''}"


def _job_title(job: Job, rank: str) -> str:
    """The position title, with the functional level (jenjang) the rank falls in."""
    if not job.ladder:
        return job.title
    for highest, level in LADDERS[job.ladder]:
        if rank_index(rank) <= rank_index(highest):
            return f"{job.title} {level}"
    return job.title


def _staff_ranks(rng: random.Random, count: int) -> list[str]:
    """Staff ranks: every rank from I/a to IV/b at least once, the rest drawn from the usual mix."""
    must = [r for r in STAFF_RANK_WEIGHTS if rank_index(r) <= rank_index("IV/b")]
    ranks = list(STAFF_RANK_WEIGHTS)
    drawn = rng.choices(ranks, weights=[STAFF_RANK_WEIGHTS[r] for r in ranks], k=count - len(must))
    result = must + drawn
    rng.shuffle(result)
    return result


def _pick_job(rng: random.Random, unit: UnitSpec, rank: str) -> Job:
    """A job of this unit (or a common one) that a civil servant of this rank may hold."""
    fits = [j for j in unit.jobs + COMMON_JOBS if rank_index(j.lowest) <= rank_index(rank) <= rank_index(j.highest)]
    # unit-specific jobs outweigh the common ones, as in a real dinas
    weights = [j.weight * (3 if j in unit.jobs else 1) for j in fits]
    return rng.choices(fits, weights=weights)[0]


def demo_plan(seed: int = DEFAULT_SEED) -> DemoPlan:
    """Build the demo instansi deterministically from the seed (no database involved)."""
    builder = _Builder(seed)
    staff_ranks = iter(_staff_ranks(builder.rng, sum(u.staff for u in UNITS)))
    sekda: str | None = None
    holders: dict[str, str] = {}
    for unit in UNITS:
        head, staff = _plan_unit(builder, unit, sekda, staff_ranks)
        sekda = sekda or head.nip  # the first unit is SETDA: its head, the Sekda, is over the other heads
        if unit.code == HR_UNIT:
            holders = {"supervisor": head.nip, "employee": staff[0].nip}
    units = tuple(DemoUnit(u.code, u.name) for u in UNITS)
    people = tuple(builder.people)
    career = career_plan(seed, people, holders)
    leaders = {e.supervisor_nip for e in people if e.supervisor_nip}
    promotions = promotion_plan(people, career["appraisals"], career["trainings"], leaders, holders["employee"],
                                career["awards"])
    people = people + pppk_staff(builder, people)  # after everything drawn for the PNS, so that stays as it was
    return DemoPlan(INSTANSI, units, people, holders, feedback_plan(people, holders), **career,
                    promotions=promotions, development=development_plan(people, holders["employee"]))


def _plan_unit(
    builder: _Builder, unit: UnitSpec, sekda: str | None, staff_ranks: Iterator[str]
) -> tuple[DemoEmployee, list[DemoEmployee]]:
    """Add a unit's head, its section heads and their staff (in that order); return the head and the staff."""
    head = builder.leader(unit, unit.head, unit.head_ranks, sekda)
    sections = [builder.leader(unit, title, ranks, head.nip) for title, ranks in unit.sections]
    staff = [builder.staff(unit, next(staff_ranks), sections[i % len(sections)].nip) for i in range(unit.staff)]
    return head, staff

def load_units(jejak: Jejak, actor: Actor, units: Sequence[DemoUnit], tick: Callable[[int], None]) -> int:
    added = 0
    for unit in units:
        if not jejak.ledger.exists(Unit.id_for(unit.code)):
            jejak.registry.register_unit(actor, unit.code, unit.name)
            added += 1
        tick(1)
    return added


def load_employees(
    jejak: Jejak, actor: Actor, employees: Sequence[DemoEmployee], tick: Callable[[int], None]
) -> tuple[dict[str, UUID], int]:
    """Register employees not yet registered (by NIP); return every NIP's id and how many were added."""
    ids: dict[str, UUID] = {}
    added = 0
    for e in employees:
        try:
            ids[e.nip] = jejak.registry.employee_id_for_nip(e.nip)
        except NotFound:
            supervisor_id = ids[e.supervisor_nip] if e.supervisor_nip else None
            saved = jejak.registry.register_employee(
                actor,
                nip=e.nip,
                name=e.name,
                unit=e.unit,
                position=e.position,
                rank=e.rank,
                rank_since=e.rank_since,
                supervisor_id=supervisor_id,
                status=e.status,
                status_since=e.rank_since if e.status == "PPPK" else None,
            )
            ids[e.nip] = saved.id
            added += 1
        tick(1)
    return ids, added

"""A province-size ledger: N employees of one instansi over Y years, through the real domain classes.

Seeded and repeatable. Every event comes from an aggregate's own command method, so each passed the domain's rules:
registrations (with NIP claims), moves, position and rank changes, yearly appraisals (targets, assessment under the
published rule set, finalisation, some objections decided), trainings verified or rejected, 360 rounds (supervisor,
self and peers added, answers submitted, closed), mentoring (sessions, ended), awards, grievances on appraisals.
Those events are written straight through the ledger's mapper and recorder in chunks (one command at a time would
take hours). Promotion cases go through the application's PromotionService (propose, assess, decide), since their
assessment pins evidence read from the event store; the service finds a candidate's trainings, rounds and awards in
the generator's own index of what it wrote (the read models' lookups, kept in memory), so nothing catches up while
generating: build the read models afterwards (`jejak projections rebuild`). Aggregate ids come from the seed too, so
the same seed gives the same events (ids, versions, states; only the recording timestamps differ). Works on SQLite
(default) and PostgreSQL (--database-url).

A year's events are stored in the order they would happen, not an aggregate at a time: each aggregate's events of
the year get times within its window (an appraisal over the whole year, a 360 round in March, a dialogue in its
quarter, a grievance after its appraisal), and the year's events are stored sorted by those times. In a live ledger
an appraisal's events lie months apart, among thousands of others; a ledger written an aggregate at a time lets a
rebuild fold nearly every change in memory and so flatters its figures (``--contiguous`` writes it that way, to
compare).

    .venv/bin/python -m bench.generate_instansi --employees 8000 --years 8            # about 1M events
    .venv/bin/python -m bench.generate_instansi --employees 300 --years 2 --db /tmp/small.db
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import random
import signal
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from sqlalchemy import MetaData, Table
from tqdm import tqdm

from application.actor import Actor, system_actor
from application.promotions import PromotionService
from application.question_book import default_questions
from bench.rebuild_directory import FIRST, LAST, OUT_DIR, POSITIONS, UNITS
from domain.appraisal import Appraisal
from domain.dialogue import Dialogue
from domain.employee import Employee
from domain.feedback_round import Candidate, FeedbackRound
from domain.grievance import Grievance
from domain.mentoring import Mentoring
from domain.nip_claim import NipClaim
from domain.ranks import RANK_CODES
from domain.recognition import Award
from domain.training import Training
from domain.unit import Unit
from infrastructure.chain import CHAIN_TABLE
from infrastructure.config import Settings
from infrastructure.container import Jejak
from infrastructure.database import writer
from infrastructure.projection import analyze

CHUNK = 10_000  # stored events per insert
HR = Actor(id="bench-hr", role="hr_admin", name="Admin BKPSDM (generator)", correlation_id="bench-generate")
COMMITTEE = Actor(id="bench-committee", role="committee", name="Tim Penilai Kinerja", correlation_id="bench-generate")
COURSES = ("Pelatihan Kepemimpinan Pengawas", "Diklat Teknis Kepegawaian", "Pelatihan Analis Kebijakan",
           "Bimtek Pengadaan Barang/Jasa", "Pelatihan Pelayanan Publik", "Diklat Keuangan Daerah")
NOTES = ("laporan diserahkan tepat waktu", "perlu memperbaiki ketelitian data", "koordinasi dengan unit lain baik",
         "target bulanan tercapai", "perlu mempercepat penyelesaian berkas")
RATINGS = ("above", "as_expected", "as_expected", "as_expected", "below")


@dataclass
class Person:
    """An employee being generated."""

    employee: Employee
    supervisor: Person | None
    peers: list[Person] = field(default_factory=list)


class WrittenIndex:
    """The evidence lookups of the training, feedback and talent read models (same answers: trainings by the year
    they end, rounds by their period's year, awards), kept over the events this generator wrote; complete once the
    buffer is flushed, which the promotions wait for."""

    def __init__(self) -> None:
        self.trainings: dict[tuple[UUID, int], list[UUID]] = {}
        self.rounds: dict[UUID, list[tuple[str, UUID]]] = {}
        self.awards: dict[UUID, list[UUID]] = {}

    def trainings_of(self, employee_id: UUID, year: int) -> list[UUID]:
        """Training completions of an employee ending in a year (any status)."""
        return sorted(self.trainings.get((employee_id, year), []))

    def feedback_rounds_of(self, employee_id: UUID, years: set[int]) -> list[UUID]:
        """360 rounds of a reviewee whose period falls in one of the years."""
        wanted = {str(y) for y in years}
        return sorted(i for period, i in self.rounds.get(employee_id, []) if period[:4] in wanted)

    def awards_of(self, employee_id: UUID) -> list[UUID]:
        """Awards granted to an employee."""
        return sorted(self.awards.get(employee_id, []))


@contextmanager
def seeded_ids(rng: random.Random) -> Iterator[None]:
    """New aggregate and entity ids drawn from ``rng`` (version-4 UUIDs) inside the block, so a seed gives the same
    ids: every loaded module of the domain, the application and the library that took ``uuid4`` at import."""
    def uuid4() -> UUID:
        return UUID(int=rng.getrandbits(128), version=4)

    patched = [m for name, m in list(sys.modules.items())
               if name.split(".")[0] in ("domain", "application", "eventsourcing")
               and getattr(m, "uuid4", None) is uuid.uuid4]
    for module in patched:
        module.uuid4 = uuid4  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in patched:
            module.uuid4 = uuid.uuid4  # type: ignore[attr-defined]


class Turns:
    """Shards store in turns, one write after another in a fixed order (shard 0's first chunk, shard 1's first, shard
    0's second, ...; a shard that finished is skipped), so the ledger's order does not depend on which is faster."""

    def __init__(self, shards: int):
        ctx = multiprocessing.get_context("fork")
        self.shards = shards
        self.condition = ctx.Condition()
        self.turn = ctx.Value("i", 0, lock=False)
        self.done = ctx.Array("b", shards, lock=False)

    @contextmanager
    def take(self, shard: int) -> Iterator[None]:
        """Wait for the shard's turn, write, hand the turn on."""
        with self.condition:
            self.condition.wait_for(lambda: self.turn.value == shard)
        try:
            yield
        finally:
            with self.condition:
                self._pass_on(shard)

    def finish(self, shard: int) -> None:
        """The shard writes no more."""
        with self.condition:
            self.done[shard] = True
            if self.turn.value == shard:
                self._pass_on(shard)

    def _pass_on(self, shard: int) -> None:
        for step in range(1, self.shards + 1):
            following = (shard + step) % self.shards
            if not self.done[following]:
                self.turn.value = following
                break
        self.condition.notify_all()


@dataclass(frozen=True)
class Shard:
    """One of the processes generating the instansi: its number, how many there are and the turns they store in."""

    number: int = 0
    of: int = 1
    turns: Turns | None = None

    def writing(self) -> Any:
        """The block in which this shard may write (always, when it is the only one)."""
        return self.turns.take(self.number) if self.turns else nullcontext()


class Instansi:
    """The generated organisation and the buffer of events not yet stored."""

    def __init__(self, jejak: Jejak, seed: int, bar: tqdm[Any], shard: Shard = Shard(), interleave: bool = True):
        self.jejak = jejak
        self.shard = shard
        # one shard: the seed itself (the ledger a single process always made); more: a stream per shard
        self.rng = random.Random(seed if shard.of == 1 else f"{seed}-{shard.number}-of-{shard.of}")
        # the events' times in their year come from a stream of their own: the events are the same either way
        self.times = random.Random(f"times-{seed}-{shard.number}-of-{shard.of}")
        self.interleave = interleave
        self.this_year: list[tuple[float, int, StoredEvent]] | None = None  # (time in the year, order, event)
        self.last_time: dict[UUID, float] = {}  # each aggregate's latest event time this year
        self.order = itertools.count()
        self.index = WrittenIndex()
        # the application's own service, finding evidence in what was written rather than in read models
        self.promotion_service = PromotionService(jejak.ledger, jejak.registry, jejak.rules, self.index,
                                                  jejak.policy)
        self.bar = bar
        self.buffer: list[StoredEvent] = []
        self.to_stored = jejak.ledger.mapper.to_stored_event
        self.people: list[Person] = []
        self.nips: set[str] = set()
        rule_set = jejak.rules.in_effect(date.today())
        self.rule_version, self.rules = rule_set.version, rule_set.rules
        self.questions = jejak.questions.get()
        self.rating_ids = [q["id"] for q in default_questions()["questions"] if q["kind"] == "rating"]
        self.stats: dict[str, int] = {}

    def save(self, *aggregates: Aggregate, within: tuple[float, float] = (0.0, 1.0), after: UUID | None = None
             ) -> None:
        """Queue the aggregates' pending events (stored with the next chunk); in a year, at times drawn in order
        within that part of the year (0 its start, 1 its end), after the aggregate's own earlier events and after
        those of the aggregate ``after`` names."""
        for aggregate in aggregates:
            stored = [self.to_stored(e) for e in aggregate.collect_events()]
            if self.this_year is None:
                self.buffer.extend(stored)
                continue
            low = max(within[0], self.last_time.get(aggregate.id, 0.0),
                      self.last_time.get(after, 0.0) if after else 0.0)
            high = max(within[1], low)
            times = sorted(self.times.uniform(low, high) for _ in stored)
            self.this_year.extend(zip(times, self.order, stored, strict=False))  # the order never ends
            if times:
                self.last_time[aggregate.id] = times[-1]
        if len(self.buffer) >= CHUNK:
            self.flush()

    def end_year(self) -> None:
        """Queue the year's events in the order of their times and store them."""
        if self.this_year is not None:
            self.this_year.sort(key=lambda item: (item[0], item[1]))
            self.buffer.extend(stored for _time, _order, stored in self.this_year)
            self.this_year = None
            self.last_time.clear()
        self.flush()

    def flush(self) -> None:
        """Store the queued events, ``CHUNK`` to a transaction."""
        for start in range(0, len(self.buffer), CHUNK):
            chunk = self.buffer[start:start + CHUNK]
            with self.shard.writing():
                self.jejak.ledger.recorder.insert_events(chunk)
            self.bar.update(len(chunk))
        self.buffer = []

    def count(self, what: str) -> None:
        self.stats[what] = self.stats.get(what, 0) + 1

    # ------------------------------------------------------------------------------------------ people

    def nip(self, start_year: int) -> str:
        rng = self.rng
        while True:
            birth = date(rng.randint(start_year - 45, start_year - 20), rng.randint(1, 12), rng.randint(1, 28))
            serial = rng.randint(1, 999)
            if self.shard.of > 1:  # the shards share the serial numbers out (their NIPs never collide)
                serial = serial - serial % self.shard.of + self.shard.number
                if not 1 <= serial <= 999:
                    continue
            nip = f"{birth:%Y%m%d}{start_year:04d}{rng.randint(1, 12):02d}{rng.choice('12')}{serial:03d}"
            if nip not in self.nips:
                self.nips.add(nip)
                return nip

    def register(self, year: int, supervisor: Person | None, unit: str) -> Person:
        rng = self.rng
        nip = self.nip(year - rng.randint(1, 25))
        start = date(int(nip[8:12]), int(nip[12:14]), 1)
        rank = RANK_CODES[min(4 + rng.randint(0, 8), len(RANK_CODES) - 4)]
        employee = Employee.register(nip=nip, name=f"{rng.choice(FIRST)} {rng.choice(LAST)}", unit=unit,
                                     position=rng.choice(POSITIONS), rank=rank,
                                     rank_since=min(start + timedelta(days=rng.randint(0, 1500)), date(year - 1, 12, 31)),
                                     supervisor_id=supervisor.employee.id if supervisor else None,
                                     today=date(year, 1, 2))
        self.save(employee, NipClaim.claim(employee.nip, employee.id))
        person = Person(employee, supervisor)
        self.people.append(person)
        self.count("registrations")
        return person

    def staff(self, n: int, year: int) -> None:
        """Units with heads, heads of section under them, staff under those (about 1 supervisor per 8)."""
        if self.shard.number == 0:
            for code, name in UNITS:
                self.save(Unit.register(code, name))
        heads = [self.register(year, None, code) for code, _ in UNITS[self.shard.number::self.shard.of]]
        middle: list[Person] = []
        while len(self.people) < n:
            unit_head = heads[len(self.people) % len(heads)]
            if len(middle) < len(self.people) // 9:
                middle.append(self.register(year, unit_head, unit_head.employee.unit))
                continue
            boss = self.rng.choice(middle) if middle else unit_head
            self.register(year, boss, boss.employee.unit)
        teams: dict[UUID, list[Person]] = {}
        for p in self.people:
            if p.supervisor:
                teams.setdefault(p.supervisor.employee.id, []).append(p)
        for team in teams.values():
            for p in team:
                p.peers = [q for q in team if q is not p]

    # ------------------------------------------------------------------------------------------ a year

    def year(self, y: int, promotions: bool) -> None:
        rng = self.rng
        self.this_year = [] if self.interleave else None
        for p in self.people:
            e = p.employee
            if rng.random() < 0.08:
                e.move(rng.choice([c for c, _ in UNITS if c != e.unit]), date(y, rng.randint(1, 12), 1), "mutasi")
                self.count("moves")
            if rng.random() < 0.08:
                e.change_position(rng.choice([x for x in POSITIONS if x != e.position]), date(y, 7, 1), "pengangkatan")
                self.count("position changes")
            self.save(e)
            for _ in range(rng.choice((1, 2, 2, 3))):
                self.training(p, y)
            if p.supervisor:
                self.appraisal(p, y)
                for quarter in range(4):
                    self.dialogue(p, y, quarter)
            if p.supervisor and len(p.peers) >= 3 and rng.random() < 0.5:
                self.round(p, y)
            if p.supervisor and rng.random() < 0.04:
                self.mentoring(p, y)
            if rng.random() < 0.03:
                award = Award.grant(employee_id=e.id, category=rng.choice(("performance", "innovation", "service")),
                                    title=f"Pegawai Berprestasi {y}", reason="kinerja melampaui target",
                                    awarded_on=date(y, 8, 17), granted_by_id=None, today=date(y, 8, 17))
                self.index.awards.setdefault(e.id, []).append(award.id)
                self.save(award, within=(7 / 12, 8 / 12))
                self.count("awards")
        self.end_year()
        if promotions:
            with self.shard.writing():
                self.promotions(y)

    def training(self, p: Person, y: int) -> None:
        rng = self.rng
        start = date(y, rng.randint(1, 11), rng.randint(1, 20))
        t = Training.record(employee_id=p.employee.id, course=rng.choice(COURSES), provider="BPSDM Provinsi",
                            jp=rng.choice((8, 16, 20, 24, 40)), start_date=start, end_date=start + timedelta(days=4),
                            certificate_number=f"SERT/{y}/{rng.randrange(10**9):09d}", today=start + timedelta(days=10))
        t.decide("verified" if rng.random() < 0.92 else "rejected", "sertifikat diperiksa")
        self.index.trainings.setdefault((p.employee.id, t.end_date.year), []).append(t.id)
        self.save(t, within=((start.month - 1) / 12, (start.month + 0.5) / 12))
        self.count("trainings")

    def appraisal(self, p: Person, y: int) -> None:
        rng = self.rng
        assert p.supervisor is not None
        a = Appraisal.open(employee_id=p.employee.id, period=str(y), unit=p.employee.unit,
                           assessor_id=p.supervisor.employee.id)
        a.agree_target("Menyelesaikan layanan kepegawaian tepat waktu", "95% layanan selesai sesuai SOP")
        a.agree_target("Menyusun laporan kinerja triwulan", "4 laporan diterima")
        for _month in range(1, 13):  # continuous coaching: a supervisor's feedback note every month
            a.record_note(rng.choice(NOTES), p.supervisor.employee.id)
        a.assess(rng.choice(RATINGS), rng.choice(RATINGS), self.rule_version, self.rules)
        a.finalise(date(y, 12, 20), p.employee.unit)
        self.count("appraisals")
        if rng.random() < 0.05:
            decider = p.supervisor.supervisor.employee.id if p.supervisor.supervisor else p.supervisor.employee.id
            a.file_objection("penilaian tidak sesuai capaian target", date(y, 12, 22), decider)
            upheld = rng.random() < 0.4
            better = "Sangat Baik" if a.predicate != "Sangat Baik" else "Baik"
            a.decide_objection("upheld" if upheld else "rejected", better if upheld else None,
                               "bukti capaian diperiksa kembali", date(y, 12, 30), decider)
            self.count("objections")
        self.save(a)
        if rng.random() < 0.01:
            g = Grievance.file(grievant_id=p.employee.id, subject="appraisal", subject_id=a.id,
                               subject_version=a.version, decision_number=None,
                               grounds="prosedur penilaian tidak diikuti", today=date(y, 12, 28),
                               decided_on=date(y, 12, 20), window_days=30, rule_set_version=self.rule_version)
            g.assign("bench-investigator", "Inspektorat")
            g.conclude("dismissed", "prosedur telah diikuti", "tidak ditemukan pelanggaran", None, date(y + 1, 1, 20))
            self.save(g, within=(0.97, 1.0), after=a.id)
            self.count("grievances")

    def dialogue(self, p: Person, y: int, quarter: int) -> None:
        """A quarterly performance dialogue: recorded by the supervisor, answered by the employee, its action done."""
        rng = self.rng
        assert p.supervisor is not None
        held = date(y, 3 * quarter + 2, rng.randint(1, 28))
        d = Dialogue.record(employee_id=p.employee.id, supervisor_id=p.supervisor.employee.id,
                            recorded_by="supervisor", held_on=held, topics=["capaian target triwulan"],
                            actions=[{"text": rng.choice(NOTES), "owner": "employee",
                                      "due_on": held + timedelta(days=30)}],
                            follow_up_on=held + timedelta(days=30), account="capaian dibahas bersama",
                            today=held)
        d.add_account("employee", "sepakat dengan rencana tindak lanjut")
        d.complete(d.actions[0].id, "employee", "selesai dikerjakan")
        self.save(d, within=((held.month - 1) / 12, (held.month + 1) / 12))
        self.count("dialogues")

    def round(self, p: Person, y: int) -> None:
        rng = self.rng
        assert p.supervisor is not None
        opened = date(y, 3, 1)
        r = FeedbackRound.open(reviewee_id=p.employee.id, supervisor_id=p.supervisor.employee.id, unit=p.employee.unit,
                               period=f"{y}-Q1", questions=self.questions, closes_on=date(y, 3, 31),
                               rule_set_version=self.rule_version, feedback_rules=self.rules["feedback"], today=opened)
        peers = rng.sample(p.peers, min(len(p.peers), rng.randint(3, 5)))
        reviewers = [Candidate(p.employee.id, "self", p.supervisor.employee.id),
                     Candidate(p.supervisor.employee.id, "supervisor",
                               p.supervisor.supervisor.employee.id if p.supervisor.supervisor else None),
                     *(Candidate(q.employee.id, "peer", p.supervisor.employee.id) for q in peers)]
        r.add(reviewers, opened, "supervisor")
        for c in reviewers:
            if rng.random() < 0.85:
                r.submit(c.reviewer_id, {q: rng.randint(3, 5) for q in self.rating_ids},
                         {"strengths": "teliti dan tepat waktu"}, opened + timedelta(days=rng.randint(1, 25)))
        r.close("periode penilaian berakhir", automatic=True)
        self.index.rounds.setdefault(p.employee.id, []).append((r.period, r.id))
        self.save(r, within=(2 / 12, 3.2 / 12))
        self.count("360 rounds")

    def mentoring(self, p: Person, y: int) -> None:
        mentor = p.supervisor
        assert mentor is not None
        if RANK_CODES.index(mentor.employee.rank) <= RANK_CODES.index(p.employee.rank):
            return
        m = Mentoring.assign(mentor_id=mentor.employee.id, mentor_rank=mentor.employee.rank, mentee_id=p.employee.id,
                             mentee_rank=p.employee.rank, goals=["menyusun kajian kebijakan"],
                             starts_on=date(y, 2, 1))
        for month in (3, 5, 8):
            m.log_session(date(y, month, 10), "diskusi kemajuan kajian", "mentor", date(y, month, 11))
        m.end("kajian selesai dan dipaparkan", date(y, 10, 1))
        self.save(m, within=(1 / 12, 9 / 12))
        self.count("mentoring")

    def promotions(self, y: int) -> None:
        """Rank cases of about 4 % of the staff, through the application (its assessment reads the event store)."""
        service = self.promotion_service
        try:
            self.jejak.rules.in_effect(date(y, 10, 1))
        except Exception:  # noqa: BLE001 - before the first published rule set nobody could be assessed
            self.count("promotion years without a rule set")
            return
        for p in self.rng.sample(self.people, max(1, len(self.people) // 25)):
            if p.employee.status != "PNS" or RANK_CODES.index(p.employee.rank) >= len(RANK_CODES) - 2:
                continue
            try:
                case = service.propose(HR, p.employee.id, "rank", f"{y}-10", "usulan kenaikan pangkat reguler")
                service.assess(HR, case.id)
                outcome = "approved" if self.rng.random() < 0.7 else "rejected"
                service.decide(COMMITTEE, case.id, outcome, "sesuai hasil penilaian", ["Sekretaris Daerah"],
                               justification="pertimbangan tim penilai kinerja")
            except Exception as e:  # noqa: BLE001 - a case the rules refuse is counted, not generated
                self.count(f"promotion refused: {str(e)[:60]}")
                continue
            self.count("promotion cases")
            p.employee = self.jejak.ledger.repository.get(p.employee.id)  # an approval changed the rank


def settings(db: Path | None, url: str | None) -> Settings:
    """A database for the generated ledger; nothing catches up while generating."""
    var = (db.parent if db else OUT_DIR)
    env = {"JEJAK_VAR_DIR": str(var), "JEJAK_SECRET_KEY": "bench", "JEJAK_CATCH_UP_IN_REQUEST": "0",
           "JEJAK_DATABASE_URL": url or f"sqlite:///{db}"}
    return Settings.from_env(env)


def generate(jejak: Jejak, employees: int, years: int, seed: int, first_year: int, promotions: bool = True,
             interleave: bool = True) -> dict[str, int]:
    """Generate the instansi into the (initialised, empty) system; return what was generated."""
    return _generate(jejak, employees, years, seed, first_year, promotions, Shard(), interleave)


def _generate(jejak: Jejak, employees: int, years: int, seed: int, first_year: int, promotions: bool, shard: Shard,
              interleave: bool = True) -> dict[str, int]:
    ids = random.Random(f"ids-{seed}" if shard.of == 1 else f"ids-{seed}-{shard.number}-of-{shard.of}")
    desc = "generate" if shard.of == 1 else f"shard {shard.number + 1}/{shard.of}"
    try:
        with (seeded_ids(ids), tqdm(unit="ev", desc=desc, smoothing=0.05, position=shard.number) as bar,
              jejak.ledger.stamped(system_actor("bench"))):  # the stamp's correlation id is seeded too
            instansi = Instansi(jejak, seed, bar, shard, interleave)
            instansi.staff(employees // shard.of + (employees % shard.of if shard.number == 0 else 0), first_year)
            for y in range(first_year, first_year + years):
                bar.set_postfix_str(f"year {y}")
                instansi.year(y, promotions)
            instansi.flush()
    finally:
        if shard.turns:
            shard.turns.finish(shard.number)
    return instansi.stats


def generate_sharded(config: Settings, employees: int, years: int, seed: int, first_year: int, promotions: bool,
                     shards: int, interleave: bool = True) -> dict[str, int]:
    """Generate in ``shards`` processes, each its share of the units and their people (own seed, own NIP serials),
    storing in turns into the one (initialised, empty) ledger; return the counts added up."""
    turns = Turns(shards)
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()

    def run(number: int) -> None:
        jejak = Jejak(config)
        try:
            results.put(_generate(jejak, employees, years, seed, first_year, promotions, Shard(number, shards, turns),
                                  interleave))
        except BaseException as e:  # the parent must not wait for a shard that died
            results.put({"failed": 1, f"shard {number}: {e!r}"[:200]: 1})
            raise
        finally:
            jejak.close()

    processes = [ctx.Process(target=run, args=(n,), name=f"shard-{n}") for n in range(shards)]
    for process in processes:
        process.start()
    # a stopped generator stops its shards too (SIGTERM would otherwise leave them running)
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stats: dict[str, int] = {}
    try:
        for _ in processes:
            for what, n in results.get().items():
                stats[what] = stats.get(what, 0) + n
        for process in processes:
            process.join()
    finally:
        signal.signal(signal.SIGTERM, previous)
        for process in processes:
            if process.is_alive():
                process.terminate()
    if stats.get("failed"):
        raise SystemExit(f"a shard failed: {stats}")
    return stats


def main(argv: Iterable[str] | None = None) -> int:
    """Generate, then print the counts and the log's head."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=8000)
    parser.add_argument("--years", type=int, default=8)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--first-year", type=int, default=date.today().year - 8)
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default bench/out/instansi-<N>x<Y>.db)")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL instead (postgresql://...?schema=x)")
    parser.add_argument("--no-promotions", action="store_true", help="skip the promotion cases (the slow part)")
    parser.add_argument("--shards", type=int, default=1, help="generating processes (each its share of the units; "
                        "a given number of shards and seed always gives the same ledger)")
    parser.add_argument("--contiguous", action="store_true",
                        help="store each aggregate's events of a year one after another (not in the order of their times)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    db = None if args.database_url else (args.db or OUT_DIR / f"instansi-{args.employees}x{args.years}.db")
    if db is not None:
        db.parent.mkdir(parents=True, exist_ok=True)
        if db.exists():
            raise SystemExit(f"{db} exists; remove it or pass another --db")
    jejak = Jejak(settings(db, args.database_url))
    jejak.init(system_actor("bench"))
    if jejak.projections.head() > 100:
        raise SystemExit("the database already holds a ledger; generate into an empty one")
    began = time.perf_counter()
    if args.shards > 1:
        jejak.close()  # each shard opens its own
        stats = generate_sharded(settings(db, args.database_url), args.employees, args.years, args.seed,
                                 args.first_year, not args.no_promotions, args.shards, not args.contiguous)
        jejak = Jejak(settings(db, args.database_url))
    else:
        stats = generate(jejak, args.employees, args.years, args.seed, args.first_year, not args.no_promotions,
                         not args.contiguous)
    seconds = time.perf_counter() - began
    head = jejak.projections.head()
    for what, n in sorted(stats.items()):
        print(f"{what:<32}{n:>10,}")
    print(f"{head:,} events in {seconds:.0f} s ({head / seconds:,.0f} events/s) -> {db or args.database_url}")
    if args.database_url:  # tables loaded in bulk: the planner's statistics, as a restore gathers them
        with writer(jejak.engine).begin() as conn:
            events_table = jejak.ledger.recorder.events_table_name  # type: ignore[attr-defined]
            analyze(conn, [Table(name, MetaData()) for name in (events_table, CHAIN_TABLE)])
    jejak.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

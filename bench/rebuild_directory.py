"""Benchmark: rebuild the directory read model from N stored events on SQLite.

    .venv/bin/python -m bench.rebuild_directory --events 1000000 [--db PATH] [--batch-size N]

The first run generates the event log (domain aggregates -> stored events -> the recorder, in large
chunks, bypassing the one-command-at-a-time application path) into ``bench/out/directory-<N>.db``.
Later runs reuse that file when it holds exactly N events, so they only time the rebuild.

The generation runs in a child process, so the peak RSS printed is the rebuild's alone.
Nothing catches up automatically (JEJAK_CATCH_UP_IN_REQUEST=0); only the timed rebuild projects.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from sqlalchemy import func, select
from tqdm import tqdm

from application.actor import system_actor
from domain.employee import Employee
from domain.nip_claim import NipClaim
from domain.ranks import RANK_CODES
from domain.unit import Unit
from infrastructure.config import Settings
from infrastructure.container import Jejak
from infrastructure.read_models.directory import employees as directory_employees
from infrastructure.read_models.directory import units as directory_units

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "bench" / "out"
TARGET_EVENTS_PER_S = 50_000  # the target for 1,000,000 events on a 2-core machine
CHUNK = 10_000  # stored events per recorder.insert_events call while generating

UNITS = (
    ("SETDA", "Sekretariat Daerah"),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan SDM"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah"),
    ("DINKES", "Dinas Kesehatan"),
    ("DISDIK", "Dinas Pendidikan"),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah"),
    ("INSPEKTORAT", "Inspektorat Daerah"),
)
POSITIONS = (
    "Analis Kepegawaian",
    "Pranata Komputer",
    "Arsiparis",
    "Perencana",
    "Auditor",
    "Bendahara",
    "Pengelola Keuangan",
    "Analis Kebijakan",
    "Guru",
    "Perawat",
    "Dokter",
    "Bidan",
    "Apoteker",
    "Penyuluh Kesehatan",
    "Teknik Jalan dan Jembatan",
    "Pengawas Bangunan",
    "Pengadministrasi Umum",
    "Kepala Subbagian Umum",
    "Kepala Seksi",
    "Kepala Bidang",
    "Sekretaris Dinas",
    "Kepala Dinas",
    "Statistisi",
    "Pustakawan",
    "Pengelola Barang Milik Daerah",
    "Verifikator Keuangan",
)
FIRST = (
    "Agus",
    "Budi",
    "Citra",
    "Dewi",
    "Eko",
    "Fitri",
    "Gita",
    "Hendra",
    "Indah",
    "Joko",
    "Kartika",
    "Lestari",
    "Made",
    "Nur",
    "Oktavia",
    "Putu",
    "Rina",
    "Sari",
    "Teguh",
    "Utami",
    "Wahyu",
    "Yuni",
    "Zainal",
    "Ayu",
)
LAST = (
    "Santoso",
    "Wijaya",
    "Pratama",
    "Saputra",
    "Hidayat",
    "Siregar",
    "Nasution",
    "Lubis",
    "Simanjuntak",
    "Kusuma",
    "Wibowo",
    "Setiawan",
    "Hakim",
    "Rahman",
    "Susanto",
    "Gunawan",
    "Purnama",
    "Halim",
    "Sitompul",
)
RENAMES = 4  # a few Unit.Renamed events in the mix
CHANGE_MIX = (("move", 30), ("position", 30), ("rank", 20), ("supervisor", 20))
TOPIC_EMPLOYEE_REGISTERED = get_topic(Employee.Registered)
TOPIC_UNIT_REGISTERED = get_topic(Unit.Registered)


def settings_for(db: Path, cipher_key: str | None = None) -> Settings:
    """Settings for a benchmark database; nothing catches up automatically.

    Payloads are encrypted only with ``cipher_key``: a ``cipher_key`` file that happens to lie next to
    the database is never picked up, so a run measures what it says.
    """
    env = {
        "JEJAK_VAR_DIR": str(db.parent),
        "JEJAK_DATABASE_URL": f"sqlite:///{db}",
        "JEJAK_SECRET_KEY": "bench",
        "JEJAK_CATCH_UP_IN_REQUEST": "0",
    }
    if cipher_key:
        env["JEJAK_CIPHER_KEY"] = cipher_key
    return Settings.from_env(env, cipher_key=cipher_key)


def cipher_key_for(db: Path) -> str:
    """The AES key of an encrypted benchmark database, kept beside it (made on first use)."""
    path = db.with_name(db.name + ".cipher_key")
    if not path.exists():
        from eventsourcing.cipher import AESCipher

        path.write_text(AESCipher.create_key(32))
        path.chmod(0o600)
    return path.read_text().strip()


# --------------------------------------------------------------------------------------------- generate


@dataclass
class Person:
    """An employee aggregate being generated and the date its next change may take effect from."""

    employee: Employee
    index: int
    cursor: date


class EventMix:
    """Produces exactly ``total`` domain events: units, registrations (employee + NIP claim), changes."""

    def __init__(self, total: int, n_employees: int, seed: int):
        n_units = len(UNITS)
        renames = RENAMES if total >= 10_000 else 0
        if total < n_units + 2 * n_employees + renames:
            raise SystemExit(f"--events {total} is too few for {n_employees} employees")
        self.rng = random.Random(seed)
        self.total = total
        self.employees_left = n_employees
        self.renames_left = renames
        self.changes_left = total - n_units - 2 * n_employees - renames
        self.people: list[Person] = []
        self.units: dict[str, Unit] = {}
        self.nips: set[str] = set()

    def batches(self) -> Iterator[Sequence[Any]]:
        """Yield the pending events of one command at a time, in log order."""
        for code, name in UNITS:
            unit = Unit.register(code, name)
            self.units[code] = unit
            yield unit.collect_events()
        rng = self.rng
        while True:
            weights = (2 * self.employees_left, self.changes_left, self.renames_left)
            if not any(weights):
                return
            if not self.people:  # the first command after the units must be a registration
                weights = (1, 0, 0)
            kind = rng.choices(("register", "change", "rename"), weights)[0]
            if kind == "register":
                self.employees_left -= 1
                yield self._register()
            elif kind == "change":
                self.changes_left -= 1
                yield self._change()
            else:
                self.renames_left -= 1
                unit = self.units[rng.choice(list(self.units))]
                unit.rename(f"{unit.name} (baru {self.renames_left})", "penataan organisasi")
                yield unit.collect_events()

    def _nip(self) -> str:
        rng = self.rng
        while True:
            birth = date(rng.randint(1962, 1998), rng.randint(1, 12), rng.randint(1, 28))
            start_year = rng.randint(birth.year + 19, min(birth.year + 35, 2024))
            nip = f"{birth:%Y%m%d}{start_year:04d}{rng.randint(1, 12):02d}{rng.choice('12')}{rng.randint(1, 999):03d}"
            if nip not in self.nips:
                self.nips.add(nip)
                return nip

    def _register(self) -> list[Any]:
        rng = self.rng
        nip = self._nip()
        service_start = date(int(nip[8:12]), int(nip[12:14]), 1)
        rank_since = service_start + timedelta(days=rng.randint(0, 3000))
        supervisor = rng.choice(self.people).employee.id if self.people and rng.random() < 0.9 else None
        employee = Employee.register(
            nip=nip,
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            unit=rng.choice(UNITS)[0],
            position=rng.choice(POSITIONS),
            rank=rng.choice(RANK_CODES[:14]),
            rank_since=rank_since,
            supervisor_id=supervisor,
        )
        claim = NipClaim.claim(employee.nip, employee.id)
        self.people.append(Person(employee, len(self.people), max(service_start, rank_since)))
        return [*employee.collect_events(), *claim.collect_events()]

    def _change(self) -> Sequence[Any]:
        rng = self.rng
        person = rng.choice(self.people)
        e = person.employee
        effective = person.cursor + timedelta(days=rng.randint(1, 400))
        person.cursor = effective
        kind = rng.choices([k for k, _ in CHANGE_MIX], [w for _, w in CHANGE_MIX])[0]
        if kind == "supervisor" and person.index == 0 and e.supervisor_id is None:
            kind = "move"  # the first employee has nobody registered before them to report to
        if kind == "move":
            e.move(rng.choice([code for code, _ in UNITS if code != e.unit]), effective, "mutasi")
        elif kind == "position":
            e.change_position(rng.choice([p for p in POSITIONS if p != e.position]), effective, "pengangkatan")
        elif kind == "rank":
            i = RANK_CODES.index(e.rank)
            rank = RANK_CODES[i + 1] if i + 1 < len(RANK_CODES) else RANK_CODES[i - 1]
            e.change_rank(rank, effective, "kenaikan pangkat reguler", cause=None)
        else:
            # Only someone registered earlier may supervise, so reporting chains never loop.
            supervisor = self.people[rng.randrange(person.index)].employee.id if person.index else None
            if supervisor == e.supervisor_id:
                supervisor = None  # differs, since the current supervisor is then not None
            e.change_supervisor(supervisor, effective, "penataan atasan langsung")
        return e.collect_events()


def generate(db: Path, total: int, n_employees: int, seed: int, cipher_key: str | None = None) -> None:
    """Write ``total`` stored events into a fresh database at ``db`` (via a .partial file)."""
    partial = db.with_name(db.name + ".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    jejak = Jejak(settings_for(partial, cipher_key))
    recorder, to_stored = jejak.ledger.recorder, jejak.ledger.mapper.to_stored_event
    mix = EventMix(total, n_employees, seed)
    buffer: list[StoredEvent] = []
    written = 0
    started = time.perf_counter()
    with (
        jejak.ledger.stamped(system_actor("bench")),
        tqdm(total=total, unit="ev", desc="generate", smoothing=0.05) as bar,
    ):
        for events in mix.batches():
            buffer.extend(to_stored(e) for e in events)
            if len(buffer) >= CHUNK:
                recorder.insert_events(buffer)
                written += len(buffer)
                bar.update(len(buffer))
                buffer = []
        if buffer:
            recorder.insert_events(buffer)
            written += len(buffer)
            bar.update(len(buffer))
    head = jejak.projections.head()
    jejak.close()
    if head != total or written != total:
        raise SystemExit(f"generated {written} events, log head is {head}; expected {total}")
    with sqlite3.connect(partial) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    os.replace(partial, db)
    print(f"generated {total:,} events ({n_employees:,} employees) in {time.perf_counter() - started:.0f} s -> {db}")


def stored_count(db: Path) -> int:
    """Events in the log of an existing database (0 when there is none)."""
    if not db.exists():
        return 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        try:
            return int(conn.execute("SELECT MAX(rowid) FROM stored_events").fetchone()[0] or 0)
        except sqlite3.OperationalError:
            return 0


# ---------------------------------------------------------------------------------------------- measure


def machine() -> dict[str, Any]:
    """What the benchmark ran on."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "eventsourcing": version("eventsourcing"),
        "sqlalchemy": version("sqlalchemy"),
        "platform": platform.platform(),
    }


def rebuild(jejak: Jejak, total: int) -> tuple[int, float, float]:
    """Time ``projections.rebuild("directory")``; return (events read, wall seconds, CPU seconds).

    CPU seconds include the rebuild's worker processes (reaped, so counted in ``os.times``' children)."""
    with tqdm(total=total, unit="ev", desc="rebuild", smoothing=0.05) as bar:
        cpu_started = _cpu()
        started = time.perf_counter()
        read = jejak.projections.rebuild("directory", progress=bar.update)
        seconds = time.perf_counter() - started
        cpu = _cpu() - cpu_started
    return read, seconds, cpu


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def verify(jejak: Jejak, db: Path, sample: int, seed: int) -> list[str]:
    """Check the rebuilt directory against the event store; return the problems found."""
    problems: list[str] = []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as raw:
        registered = [
            UUID(row[0])
            for row in raw.execute(
                "SELECT originator_id FROM stored_events WHERE topic=?", (TOPIC_EMPLOYEE_REGISTERED,)
            )
        ]
        n_units = raw.execute("SELECT COUNT(*) FROM stored_events WHERE topic=?", (TOPIC_UNIT_REGISTERED,)).fetchone()[
            0
        ]
    with jejak.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(directory_employees)).scalar_one()
        unit_rows = conn.execute(select(func.count()).select_from(directory_units)).scalar_one()
        if rows != len(registered):
            problems.append(f"directory has {rows} employees, the log registered {len(registered)}")
        if unit_rows != n_units:
            problems.append(f"directory has {unit_rows} units, the log registered {n_units}")
        picked = random.Random(seed).sample(registered, min(sample, len(registered)))
        found = {r.id: r for r in conn.execute(select(directory_employees).where(directory_employees.c.id.in_(picked)))}
    fields = (
        "unit",
        "unit_since",
        "position",
        "position_since",
        "rank",
        "rank_since",
        "supervisor_id",
        "supervisor_since",
    )
    for employee_id in picked:
        row = found.get(employee_id)
        if row is None:
            problems.append(f"employee {employee_id} missing from the directory")
            continue
        state = jejak.registry.employee(employee_id)
        expected = {f: getattr(state, f) for f in fields} | {
            "version": state.version,
            "rank_order": RANK_CODES.index(state.rank),
        }
        actual = {f: getattr(row, f) for f in expected}
        if actual != expected:
            diff = {f: (actual[f], expected[f]) for f in expected if actual[f] != expected[f]}
            problems.append(f"employee {employee_id}: directory != event store {diff}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="stored events in the log (default 1,000,000)")
    parser.add_argument("--db", type=Path, help="SQLite file (default bench/out/directory-<events>.db)")
    parser.add_argument(
        "--batch-size", type=int, help="ProjectionRunner.batch_size, and rebuild_batch_size if the runner has one"
    )
    parser.add_argument(
        "--workers", type=int, help="processes folding the log in a bulk rebuild (default: the runner's)"
    )
    parser.add_argument("--employees", type=int, help="registered employees (default events/8)")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--sample", type=int, default=100, help="directory rows checked against the event store")
    parser.add_argument("--fresh", action="store_true", help="regenerate the log even if the file exists")
    parser.add_argument("--cipher", action="store_true", help="encrypt payloads (AES, as with JEJAK_CIPHER_KEY)")
    parser.add_argument("--json", type=Path, help="append the result as one JSON line to this file")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    default_name = f"directory-{args.events}{'-cipher' if args.cipher else ''}.db"
    db = (args.db or OUT_DIR / default_name).resolve()
    db.parent.mkdir(parents=True, exist_ok=True)
    cipher_key = cipher_key_for(db) if args.cipher else None
    n_employees = args.employees if args.employees is not None else args.events // 8
    if args.generate_only:
        generate(db, args.events, n_employees, args.seed, cipher_key)
        return 0

    have = stored_count(db)
    if args.fresh or have == 0:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        # A child process, so that this process's peak RSS is the rebuild's alone.
        child = [
            sys.executable,
            "-m",
            "bench.rebuild_directory",
            "--generate-only",
            "--events",
            str(args.events),
            "--employees",
            str(n_employees),
            "--seed",
            str(args.seed),
            "--db",
            str(db),
        ]
        child += ["--cipher"] if args.cipher else []
        subprocess.run(child, check=True, cwd=ROOT)
    elif have != args.events:
        print(f"{db} holds {have:,} events, not {args.events:,}: pass --fresh or another --db", file=sys.stderr)
        return 2
    else:
        print(f"reusing {db} ({have:,} events)")
    reused = not args.fresh and have == args.events  # else the generator was a child too, and its RSS counts

    jejak = Jejak(settings_for(db, cipher_key))
    if args.batch_size:
        jejak.projections.batch_size = args.batch_size
        if hasattr(jejak.projections, "rebuild_batch_size"):  # a runner that rebuilds in its own batch size
            jejak.projections.rebuild_batch_size = args.batch_size
    if args.workers:
        jejak.projections.rebuild_workers = args.workers
    total = jejak.projections.head()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    load_before = os.getloadavg()[0]
    read, seconds, cpu = rebuild(jejak, total)
    load_after = os.getloadavg()[0]
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    problems = verify(jejak, db, args.sample, args.seed)
    jejak.close()

    result = {
        "events": read,
        "seconds": round(seconds, 2),
        "events_per_s": round(read / seconds) if seconds else None,
        "target_met": bool(seconds) and read / seconds >= TARGET_EVENTS_PER_S,
        "cpu_seconds": round(cpu, 2),
        "events_per_cpu_s": round(read / cpu) if cpu else None,
        "batch_size": jejak.projections.batch_size,
        "rebuild_workers": getattr(jejak.projections, "rebuild_workers", 1),
        "peak_rss_mib": round(rss_peak / 1024, 1),
        "peak_rss_worker_mib": round(rss_children / 1024, 1) if reused else None,
        "rss_before_rebuild_mib": round(rss_before / 1024, 1),
        "db": str(db),
        "db_mib": round(db.stat().st_size / 2**20, 1),
        "cipher": bool(cipher_key),
        "verified": not problems,
        "loadavg_1m": f"{load_before:.2f} before, {load_after:.2f} after",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        **machine(),
    }
    width = max(map(len, result))
    for key, value in result.items():
        print(
            f"{key:<{width}}  {value:,}"
            if isinstance(value, int) and not isinstance(value, bool)
            else f"{key:<{width}}  {value}"
        )
    for problem in problems[:20]:
        print("FAIL", problem, file=sys.stderr)
    if args.json:
        with args.json.open("a") as out:
            out.write(json.dumps(result) + "\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

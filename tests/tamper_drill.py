"""Tamper drill: build a small sealed ledger, tamper with it in each way an attacker with write access to the
database could, and check the verdict `jejak ledger verify` gives (run on SQLite and PostgreSQL).

    .venv/bin/python -m tests.tamper_drill            # prints one line per attack and backend; exit 1 on a miss

The signing key lives outside the ledger's var directory and the trusted public key is configured
(JEJAK_SEAL_PUBLIC_KEY), as the README asks; the seal export file is where JEJAK_SEAL_EXPORT_FILE puts it.
tests/infrastructure/test_tamper_drill.py runs the same drill in the suite.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent

from application.access import hash_token
from application.actor import Actor, system_actor
from infrastructure.chain import GENESIS, chain_rows
from infrastructure.config import Settings
from infrastructure.container import Jejak
from infrastructure.seals import generate_key, load_key
from tests.conftest import PG_URL, drop_schema, postgres_unavailable
from tests.infrastructure.test_tamper import raw

HR = Actor(id="drill-hr", role="hr_admin", name="Admin BKPSDM")
UNITS = ["SETDA", "BKPSDM", "DINKES", "DISDIK", "BAPPEDA", "DPUPR", "DINSOS", "INSPEKTORAT"]


@dataclass(frozen=True)
class Verdict:
    """What the drill expected of one attack and what verification said."""

    backend: str
    attack: str
    expected: str
    status: str
    first_problem: str
    ok: bool

    def line(self) -> str:
        """One line of the drill's report."""
        mark = "ok  " if self.ok else "MISS"
        return f"{mark} {self.backend:<8} {self.attack:<75} expected {self.expected:<11} got {self.status:<10} " \
               f"{self.first_problem}"


@dataclass
class Ledger:
    """A drill ledger: the system, how to reach its tables directly, and the attacker's scratch directory."""

    jejak: Jejak
    kind: str
    scratch: Path

    @property
    def table(self) -> str:
        return "stored_events" if self.kind == "sqlite" else "jejak_events"

    @property
    def pos(self) -> str:
        return "rowid" if self.kind == "sqlite" else "notification_id"

    @property
    def p(self) -> str:
        return "?" if self.kind == "sqlite" else "%s"

    def uuid(self, value: uuid.UUID) -> Any:
        """A UUID as this backend's read-model tables store it."""
        return value.hex if self.kind == "sqlite" else str(value)

    def raw(self) -> Any:
        """A DB-API connection straight to the database, bypassing Jejak (the attacker's access)."""
        return raw(self.jejak)


def build(kind: str, root: Path, trusted: bool = True, export: bool = True) -> Iterator[Ledger]:
    """A fresh sealed ledger: eight units, a token and a page account, sealed by a key kept outside its var dir."""
    office = root / "office"
    public = generate_key(office / "seal.key")
    env = {"JEJAK_VAR_DIR": str(root / "var")}
    schema = None
    if kind == "postgres":
        schema = f"t_drill_{uuid.uuid4().hex[:12]}"
        env["JEJAK_DATABASE_URL"] = f"{PG_URL}?schema={schema}"
    settings = Settings.from_env(env, seal_key_file=None, seal_public_key=public if trusted else None,
                                 seal_export_file=root / "office" / "seals.jsonl" if export else None,
                                 seal_every_events=10**6, password_time_cost=1, password_memory_kib=64)
    jejak = Jejak(settings)
    try:
        jejak.init(system_actor("drill"))
        for code in UNITS:
            jejak.registry.register_unit(HR, code, f"Unit {code}")
        jejak.access.issue(HR, "auditor", "Inspektorat")
        jejak.accounts.create(HR, "dewi", "kata-sandi-panjang", "auditor", "Dewi")
        jejak.seals.seal(load_key(office / "seal.key"))
        yield Ledger(jejak, kind, root / "attacker")
    finally:
        jejak.close()
        if schema:
            drop_schema(schema)


# --- the attacks ---------------------------------------------------------------------------------------------------

def change_a_payload_byte(led: Ledger) -> None:
    with led.raw() as c:
        state = bytes(c.execute(f"SELECT state FROM {led.table} WHERE {led.pos} = 6").fetchone()[0])
        c.execute(f"UPDATE {led.table} SET state = {led.p} WHERE {led.pos} = 6", (state.replace(b"Unit", b"Unix", 1),))


def delete_a_row(led: Ledger) -> None:
    with led.raw() as c:
        c.execute(f"DELETE FROM {led.table} WHERE {led.pos} = 7")


def insert_a_row(led: Ledger) -> None:
    p = led.p
    with led.raw() as c:
        row = c.execute(f"SELECT originator_id, topic, state FROM {led.table} WHERE {led.pos} = 5").fetchone()
        c.execute(f"INSERT INTO {led.table} (originator_id, originator_version, topic, state) "
                  f"VALUES ({p}, 99, {p}, {p})", tuple(row))


def swap_two_rows(led: Ledger) -> None:
    p = led.p
    cols = "originator_id, originator_version, topic, state"
    set_cols = f"originator_id = {p}, originator_version = {p}, topic = {p}, state = {p}"
    with led.raw() as c:
        a = c.execute(f"SELECT {cols} FROM {led.table} WHERE {led.pos} = 5").fetchone()
        b = c.execute(f"SELECT {cols} FROM {led.table} WHERE {led.pos} = 8").fetchone()
        c.execute(f"UPDATE {led.table} SET originator_version = -1 WHERE {led.pos} = 5")
        c.execute(f"UPDATE {led.table} SET {set_cols} WHERE {led.pos} = 8", tuple(a))
        c.execute(f"UPDATE {led.table} SET {set_cols} WHERE {led.pos} = 5", tuple(b))


def turn_bytes_into_text(led: Ledger) -> None:
    with led.raw() as c:
        c.execute(f"UPDATE {led.table} SET state = state || x'00' WHERE {led.pos} = 4")


def truncate_the_sealed_tail(led: Ledger) -> None:
    with led.raw() as c:
        c.execute(f"DELETE FROM {led.table} WHERE {led.pos} > 6")
        c.execute("DELETE FROM ledger_chain WHERE position > 6")


def rewrite_the_chain_delete_the_seals_and_forge_one(led: Ledger) -> None:
    change_a_payload_byte(led)
    with led.raw() as c:
        rows = c.execute(f"SELECT {led.pos}, originator_id, originator_version, topic, state FROM {led.table} "
                         f"ORDER BY {led.pos}").fetchall()
        events = [StoredEvent(r[1], r[2], r[3], bytes(r[4])) for r in rows]
        c.execute("DELETE FROM ledger_chain")
        c.execute("DELETE FROM ledger_seals")
        c.cursor().executemany(f"INSERT INTO ledger_chain VALUES ({led.p}, {led.p}, {led.p})",
                               chain_rows(GENESIS, [r[0] for r in rows], events))
    forged = led.scratch / "attacker.key"
    generate_key(forged)
    real_export = led.jejak.seals.export.path
    led.jejak.seals.export.path = led.scratch / "elsewhere.jsonl"  # the real export is out of the attacker's reach
    led.jejak.seals.seal(load_key(forged))
    led.jejak.seals.export.path = real_export


def edit_a_seal(led: Ledger) -> None:
    with led.raw() as c:
        c.execute("UPDATE ledger_seals SET position = position - 1")


def insert_an_access_grant(led: Ledger) -> None:
    p = led.p
    with led.raw() as c:
        c.execute(f"INSERT INTO access_grants (id, token_hash, role, name, revoked, granted_at, granted_by, version) "
                  f"VALUES ({p}, {p}, 'hr_admin', 'x', {p}, {p}, 'x', 1)",
                  (led.uuid(uuid.uuid4()), hash_token("jjk_attacker"), False, "2026-01-01 00:00:00"))


def promote_an_account(led: Ledger) -> None:
    with led.raw() as c:
        c.execute("UPDATE accounts SET role = 'hr_admin'")


def forge_a_snapshot(led: Ledger) -> None:
    """Snapshot a unit the honest way, then rename it in the snapshot row (later loads would trust the snapshot)."""
    with led.raw() as c:
        unit_id = c.execute(f"SELECT originator_id FROM {led.table} WHERE topic LIKE '%Unit.Registered'").fetchone()[0]
    led.jejak.ledger.take_snapshot(uuid.UUID(str(unit_id)))
    table = led.jejak.snapshot_check.table
    with led.raw() as c:
        state = bytes(c.execute(f"SELECT state FROM {table}").fetchone()[0])
        c.execute(f"UPDATE {table} SET state = {led.p}", (state.replace(b"Unit ", b"Unix "),))


def delete_events_recorded_after_the_last_seal(led: Ledger) -> None:
    led.jejak.registry.register_unit(HR, "DISHUB", "Dinas Perhubungan")  # recorded after the seal
    head = led.jejak.projections.head()
    with led.raw() as c:
        c.execute(f"DELETE FROM {led.table} WHERE {led.pos} = {head}")
        c.execute(f"DELETE FROM ledger_chain WHERE position = {head}")


Attack = Callable[[Ledger], None]
# (attack, expected status, expected first problem "kind@position" ("" when none is expected), a trusted key
# configured?, seals exported to the append-only file?)
DRILL: list[tuple[Attack | None, str, str, bool, bool]] = [
    (None, "intact", "", True, True),
    (None, "unverified", "", False, False),
    (change_a_payload_byte, "broken", "changed@6", True, True),
    (delete_a_row, "broken", "removed@7", True, True),
    (insert_a_row, "broken", "inserted@head", True, True),
    (swap_two_rows, "broken", "reordered@5", True, True),
    (turn_bytes_into_text, "broken", "changed@4", True, True),
    (truncate_the_sealed_tail, "broken", "removed@7", True, True),
    (rewrite_the_chain_delete_the_seals_and_forge_one, "broken", "", True, True),  # the forged seal fails the key
    (rewrite_the_chain_delete_the_seals_and_forge_one, "broken", "", True, False),
    (rewrite_the_chain_delete_the_seals_and_forge_one, "broken", "", False, True),  # the export misses its seal
    (rewrite_the_chain_delete_the_seals_and_forge_one, "unverified", "", False, False),  # nothing trusted: no proof
    (edit_a_seal, "broken", "", True, True),
    (insert_an_access_grant, "broken", "", True, True),
    (promote_an_account, "broken", "", True, True),
    (forge_a_snapshot, "broken", "", True, True),
    # the limit: events after the last seal, removed with their chain entries, leave no trace
    (delete_events_recorded_after_the_last_seal, "intact", "", True, True),
]


def run(kind: str, progress: Callable[[Verdict], None] = lambda v: None) -> list[Verdict]:
    """Every attack on a fresh copy of the drill ledger of one backend."""
    verdicts = []
    for attack, expected, problem, trusted, export in DRILL:
        if attack is turn_bytes_into_text and kind != "sqlite":
            continue  # PostgreSQL's bytea column cannot hold text
        with tempfile.TemporaryDirectory(prefix="jejak-drill-") as tmp:
            for led in build(kind, Path(tmp), trusted, export):
                led.scratch.mkdir()
                if attack:
                    attack(led)
                head = led.jejak.ledger.recorder.max_notification_id() or 0
                report = led.jejak.verifier.verify().as_dict()
        found = report["first_problem"]
        got = f"{found['kind']}@{found['position']}" if found else ""
        want = problem.replace("@head", f"@{head}")
        name = (attack.__name__ if attack else "nothing (a clean ledger)").replace("_", " ") + (
            "" if trusted else ", no trusted key") + ("" if export else ", no seal export")
        verdict = Verdict(kind, name, expected, report["status"], got or "; ".join(report["problems"])[:80],
                          report["status"] == expected and (not want or got == want))
        progress(verdict)
        verdicts.append(verdict)
    return verdicts


def main() -> None:
    """Run the drill on SQLite and, when it answers, PostgreSQL; print a line per attack."""
    backends = ["sqlite"] + ([] if postgres_unavailable() else ["postgres"])
    verdicts = [v for kind in backends for v in run(kind, lambda v: print(v.line(), flush=True))]
    if postgres_unavailable():
        print(f"postgres skipped: {postgres_unavailable()}")
    sys.exit(0 if all(v.ok for v in verdicts) else 1)


if __name__ == "__main__":
    main()

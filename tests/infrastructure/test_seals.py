"""Seals are trusted only through a key configured outside the database, are made automatically, and are kept
in a second, append-only place that verification reads too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent

from application.actor import Actor
from application.ledger import forget_written
from infrastructure.chain import GENESIS, chain_rows
from infrastructure.container import Jejak
from infrastructure.seals import Seal, generate_key, load_key
from tests.conftest import _make
from tests.infrastructure.test_tamper import events_table, fill, param, raw


@pytest.fixture
def keyless(backend: str, tmp_path: Path) -> Iterator[Jejak]:
    """A system whose signing key lives elsewhere (no key file under its var directory, no public key set)."""
    yield from _make(backend, tmp_path, seal_key_file=None)


def attacker_rewrites_the_chain_and_forges_a_seal(jejak: Jejak, tmp_path: Path) -> None:
    """Change a row, rebuild the whole chain over the altered rows, and seal it with the attacker's own key."""
    table, pos = events_table(jejak)
    with raw(jejak) as conn:
        state = bytes(conn.execute(f"SELECT state FROM {table} WHERE {pos} = 5").fetchone()[0])
        conn.execute(f"UPDATE {table} SET state = {param(jejak)} WHERE {pos} = 5", (state.replace(b"Unit", b"Unix"),))
        rows = conn.execute(f"SELECT {pos}, originator_id, originator_version, topic, state FROM {table} "
                            f"ORDER BY {pos}").fetchall()
        events = [StoredEvent(r[1], r[2], r[3], bytes(r[4])) for r in rows]
        conn.execute("DELETE FROM ledger_chain")
        conn.execute("DELETE FROM ledger_seals")
        p = param(jejak)
        conn.cursor().executemany(f"INSERT INTO ledger_chain VALUES ({p}, {p}, {p})",
                         chain_rows(GENESIS, [r[0] for r in rows], events))
    generate_key(tmp_path / "attacker.key")
    jejak.seals.seal(load_key(tmp_path / "attacker.key"))


def test_a_forged_seal_over_a_rewritten_chain_is_never_reported_intact(keyless: Jejak, hr: Actor,
                                                                        tmp_path: Path) -> None:
    fill(keyless, hr)
    attacker_rewrites_the_chain_and_forges_a_seal(keyless, tmp_path)
    report = keyless.verifier.verify().as_dict()
    assert report["status"] == "unverified" and report["trusted_key"] is None
    assert [c["signature"] for c in report["checkpoints"]] == ["unverified"]


def test_with_the_trusted_key_configured_the_forged_seal_is_broken(backend: str, hr: Actor, tmp_path: Path) -> None:
    public = generate_key(tmp_path / "office" / "seal.key")
    for jejak in _make(backend, tmp_path / "var", seal_key_file=None, seal_public_key=public):
        fill(jejak, hr)
        attacker_rewrites_the_chain_and_forges_a_seal(jejak, tmp_path)
        report = jejak.verifier.verify().as_dict()
        assert report["status"] == "broken" and report["trusted_key"] == public
        assert [c["signature"] for c in report["checkpoints"]] == ["invalid"]


def test_a_clean_ledger_without_a_trusted_key_is_unverified_not_intact(keyless: Jejak, hr: Actor) -> None:
    fill(keyless, hr)
    report = keyless.verifier.verify().as_dict()
    assert report["status"] == "unverified" and report["unsealed_events"] == report["events"]


def test_the_ledger_seals_itself_every_n_events_and_exports_each_seal(sqlite_jejak: Jejak, hr: Actor,
                                                                        tmp_path: Path) -> None:
    settings = sqlite_jejak.settings
    generate_key(settings.seal_key_file)
    sqlite_jejak.auto_seal.every_events = 5
    fill(sqlite_jejak, hr, [f"U{i:02d}" for i in range(12)])
    seals = sqlite_jejak.seals.all()
    assert len(seals) >= 2 and all(b.position - a.position >= 5 for a, b in zip(seals, seals[1:], strict=False))
    exported = [json.loads(line) for line in settings.seal_export_file.read_text().splitlines()]
    assert [e["signature"] for e in exported] == [s.signature.hex() for s in seals]
    report = sqlite_jejak.verifier.verify().as_dict()
    assert report["status"] == "intact" and {c["kept_in"] for c in report["checkpoints"]} == {"both"}
    assert report["unsealed_events"] < 5


def test_seals_deleted_from_the_database_are_found_through_the_export(jejak: Jejak, hr: Actor) -> None:
    generate_key(jejak.settings.seal_key_file)
    fill(jejak, hr)
    jejak.seals.seal(load_key(jejak.settings.seal_key_file))
    with raw(jejak) as conn:
        conn.execute("DELETE FROM ledger_seals")
    report = jejak.verifier.verify().as_dict()
    assert report["status"] == "broken"
    assert any("missing from the database" in p for p in report["problems"])
    assert report["checkpoints"] and {c["kept_in"] for c in report["checkpoints"]} == {"export"}


def test_ledger_verify_exits_0_intact_2_unverified_1_broken(tmp_path: Path) -> None:
    from tests.web.conftest import jejak_cli

    office = tmp_path / "office"
    public = generate_key(office / "seal.key")
    env = {"JEJAK_VAR_DIR": str(tmp_path / "var")}
    assert jejak_cli("init", env=env).returncode == 0
    unverified = jejak_cli("ledger", "verify", env=env)
    assert unverified.returncode == 2 and json.loads(unverified.stdout)["status"] == "unverified"
    assert "unverified" in unverified.stderr
    signing = {**env, "JEJAK_SEAL_KEY_FILE": str(office / "seal.key")}
    assert jejak_cli("ledger", "seal", env=signing).returncode == 0
    intact = jejak_cli("ledger", "verify", env={**env, "JEJAK_SEAL_PUBLIC_KEY": public})
    assert intact.returncode == 0 and json.loads(intact.stdout)["status"] == "intact"
    other = generate_key(office / "other.key")
    broken = jejak_cli("ledger", "verify", "--public-key", other, env=env)
    assert broken.returncode == 1 and json.loads(broken.stdout)["checkpoints"][0]["signature"] == "invalid"


def test_a_command_that_cannot_make_a_seal_due_reads_no_seal(sqlite_jejak: Jejak, hr: Actor,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    generate_key(sqlite_jejak.settings.seal_key_file)
    sqlite_jejak.auto_seal.every_events = 5
    fill(sqlite_jejak, hr, ["A00"])  # the first seal
    reads: list[str] = []
    last = sqlite_jejak.seals.last

    def counted() -> Seal | None:
        reads.append("last")
        return last()

    monkeypatch.setattr(sqlite_jejak.seals, "last", counted)
    forget_written()  # positions earlier tests wrote in this thread, to other ledgers (a request starts so too)
    fill(sqlite_jejak, hr, ["A01", "A02", "A03"])  # three events: not due yet
    assert reads == []
    fill(sqlite_jejak, hr, [f"B{i:02d}" for i in range(6)])
    seals = sqlite_jejak.seals.all()
    assert len(seals) == 2 and seals[1].position - seals[0].position >= 5 and reads


def test_a_seal_made_by_another_process_only_delays_the_next_automatic_one(sqlite_jejak: Jejak, hr: Actor) -> None:
    generate_key(sqlite_jejak.settings.seal_key_file)
    sqlite_jejak.auto_seal.every_events = 5
    fill(sqlite_jejak, hr, ["A00"])
    sqlite_jejak.seals.seal(load_key(sqlite_jejak.settings.seal_key_file))  # as `jejak ledger seal` elsewhere
    fill(sqlite_jejak, hr, [f"B{i:02d}" for i in range(12)])
    seals = sqlite_jejak.seals.all()
    automatic = seals[2:]  # after the first automatic seal and the one made by hand at the same head
    assert len(automatic) >= 2 and all(b.position - a.position >= 5 for a, b in zip(seals[1:], automatic, strict=False))
    assert sqlite_jejak.seals.head()[0] - seals[-1].position < 5  # type: ignore[index]

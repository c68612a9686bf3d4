"""The payload cipher: AES-GCM in the library AESCipher's byte format, so existing encrypted ledgers stay readable."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.cipher import AESCipher
from eventsourcing.utils import Environment
from sqlalchemy import select

from application.actor import Actor, system_actor
from infrastructure.cipher import FastAESCipher
from infrastructure.config import Settings
from infrastructure.container import Jejak
from infrastructure.keys import new_cipher_key
from infrastructure.read_models.directory import employees

PAYLOAD = b'{"name":"Dewi Lestari","comment":"Sangat teliti"}'


def ciphers(key: str | None = None) -> tuple[AESCipher, FastAESCipher]:
    env = Environment(env={"CIPHER_KEY": key or new_cipher_key()})
    return AESCipher(env), FastAESCipher(env)


def test_bytes_the_library_cipher_wrote_are_read_and_the_other_way_round() -> None:
    library, fast = ciphers()
    assert fast.decrypt(library.encrypt(PAYLOAD)) == PAYLOAD
    assert library.decrypt(fast.encrypt(PAYLOAD)) == PAYLOAD


def test_each_encryption_uses_a_fresh_nonce() -> None:
    _, fast = ciphers()
    assert fast.encrypt(PAYLOAD) != fast.encrypt(PAYLOAD)


@pytest.mark.parametrize("damage", [lambda b: b[:20], lambda b: b[:-1] + bytes([b[-1] ^ 1]),
                                    lambda b: b[:12] + bytes([b[12] ^ 1]) + b[13:]])
def test_damaged_bytes_are_refused(damage) -> None:  # type: ignore[no-untyped-def]
    _, fast = ciphers()
    with pytest.raises(ValueError, match="[Dd]amaged"):
        fast.decrypt(damage(fast.encrypt(PAYLOAD)))


def test_another_key_cannot_read_it() -> None:
    _, fast = ciphers()
    _, other = ciphers()
    with pytest.raises(ValueError):
        other.decrypt(fast.encrypt(PAYLOAD))


def test_the_cipher_survives_pickling_for_the_replay_workers() -> None:
    _, fast = ciphers()
    copy = pickle.loads(pickle.dumps(fast))
    assert copy.decrypt(fast.encrypt(PAYLOAD)) == PAYLOAD


def directory_rows(jejak: Jejak) -> list[dict[str, Any]]:
    with jejak.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(employees).order_by(employees.c.nip))]


def test_an_encrypted_ledger_rebuilds_on_several_processes_to_the_same_directory(tmp_path: Path, hr: Actor) -> None:
    jejak = Jejak(Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path), "JEJAK_CIPHER_KEY": new_cipher_key()}))
    try:
        jejak.init(system_actor())
        assert isinstance(jejak.ledger.mapper.cipher, FastAESCipher)
        jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian")
        for i in range(6):
            saved = jejak.registry.register_employee(hr, nip=f"1985031520100110{i + 1:02d}", name=f"Pegawai {i}",
                                                     unit="BKPSDM", position="Analis", rank="II/a",
                                                     rank_since=date(2010, 1, 1))
            jejak.registry.change_position(hr, saved.id, "Perencana", date(2020, 1, 1), "SK")
        before = directory_rows(jejak)
        runner = jejak.projections
        runner.rebuild_workers, runner.parallel_rebuild_from, runner.worker_cost = 2, 0, 0
        runner.rebuild("directory")
        assert directory_rows(jejak) == before and len(before) == 6
    finally:
        jejak.close()

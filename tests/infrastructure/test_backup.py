"""Backups that restore: a drill on each database, and the refusals that keep a restore from doing harm."""

from __future__ import annotations

import tarfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from sqlalchemy import text

from application.actor import Actor, system_actor
from domain.unit import Unit
from infrastructure.backup import BackupError, check_pg_dump, create_backup, read_manifest, restore_backup
from infrastructure.config import Settings
from infrastructure.container import Jejak
from infrastructure.keys import new_cipher_key
from infrastructure.outbox import outbox
from infrastructure.seals import generate_key, load_key
from tests.conftest import drop_schema, settings_for
from tests.infrastructure.test_postgres_probe_plan import never_analyzed
from tests.web.conftest import jejak_cli

HR = Actor(id="hr-backup", role="hr_admin", name="Admin BKPSDM", correlation_id="corr-backup")
KEY = new_cipher_key()


@pytest.fixture
def cleanup() -> Iterator[list[str]]:
    """PostgreSQL schemas a test made, dropped afterwards."""
    schemas: list[str] = []
    yield schemas
    for schema in schemas:
        drop_schema(schema)


def fresh(backend: str, where: Path, cleanup: list[str], **overrides: object) -> Settings:
    """Settings for a new empty database of the backend (its schema dropped after the test)."""
    settings, schema = settings_for(backend, where, **overrides)
    if schema:
        cleanup.append(schema)
    return settings


class Writer(threading.Thread):
    """Registers units one after another, noting each acknowledged write with the moment it was acknowledged."""

    def __init__(self, settings: Settings):
        super().__init__(daemon=True)
        self.jejak = Jejak(settings)
        self.acknowledged: list[tuple[float, UUID]] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            n = 0
            while not self.stop.is_set():
                saved = self.jejak.registry.register_unit(HR, f"W{n:05d}", f"Unit tulis {n}")
                self.acknowledged.append((time.monotonic(), saved.id))
                n += 1
        except BaseException as e:  # noqa: BLE001 - reported by the test
            self.error = e
        finally:
            self.jejak.close()

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 30
        while len(self.acknowledged) < count and time.monotonic() < deadline and self.error is None:
            time.sleep(0.01)
        assert self.error is None and len(self.acknowledged) >= count


def test_restore_drill_backs_up_while_a_writer_runs_and_restores_every_acknowledged_write(
        backend: str, tmp_path: Path, cleanup: list[str]) -> None:
    source_settings = fresh(backend, tmp_path / "source", cleanup, cipher_key=KEY, catch_up_in_request=False)
    source = Jejak(source_settings)
    try:
        source.init(system_actor("test-init"))
        for code in ("SETDA", "BKPSDM", "DINKES"):
            source.registry.register_unit(HR, code, f"Unit {code}")
        generate_key(source_settings.var_dir / "seal.key")
        seal = source.seals.seal(load_key(source_settings.var_dir / "seal.key"))
        writer = Writer(source_settings)
        writer.start()
        writer.wait_for(5)
        started = time.monotonic()
        manifest = create_backup(source, tmp_path / "drill.tar.gz")
        writer.wait_for(len(writer.acknowledged) + 5)  # the writer goes on after the snapshot
        writer.stop.set()
        writer.join(30)
        assert writer.error is None
        source_head = source.projections.head()
        with source.engine.connect() as conn:
            digest_at_backup = bytes(conn.execute(text("SELECT digest FROM ledger_chain WHERE position = :p"),
                                                  {"p": manifest.head_position}).scalar_one())
    finally:
        source.close()
    before = [unit_id for at, unit_id in writer.acknowledged if at < started]

    target_settings = fresh(backend, tmp_path / "target", cleanup, cipher_key=KEY)
    restored = restore_backup(target_settings, tmp_path / "drill.tar.gz")

    assert restored.status == "unverified"  # nothing broken; the target has no trusted seal key configured
    assert manifest.last_seal is not None and manifest.last_seal["position"] == seal.position
    assert manifest.cipher_key is not None and KEY not in (tmp_path / "drill.tar.gz").read_bytes().decode("latin-1")
    assert source_head > manifest.head_position  # the backup was taken while writes went on
    assert manifest.head_digest == digest_at_backup.hex()
    target = Jejak(target_settings)
    try:
        assert target.projections.head() == manifest.head_position
        assert target.seals.head() == (manifest.head_position, digest_at_backup)
        assert [s.position for s in target.seals.all()] == [seal.position]
        assert len(before) >= 5
        for unit_id in before:
            assert target.ledger.exists(unit_id)
            assert target.ledger.load(Unit, unit_id).name.startswith("Unit tulis")
        codes = {u["code"] for u in target.directory.units()}
        assert {"SETDA", "BKPSDM", "DINKES"} <= codes
        assert all(s.lag == 0 and s.parked == 0 for s in target.projections.status())
        if backend == "postgres":
            assert never_analyzed(target.engine, ["jejak_events", "ledger_chain", "directory_units"]) == []
        assert target.verifier.verify(load_key(source_settings.var_dir / "seal.key").public_key()).intact
    finally:
        target.close()


def test_restore_refuses_a_ledger_that_is_not_empty(jejak: Jejak, hr: Actor, tmp_path: Path) -> None:
    jejak.registry.register_unit(hr, "SETDA", "Sekretariat Daerah")
    create_backup(jejak, tmp_path / "b.tar.gz")
    head = jejak.projections.head()

    with pytest.raises(BackupError, match="not empty"):
        restore_backup(jejak.settings, tmp_path / "b.tar.gz")

    assert jejak.projections.head() == head


def test_restore_refuses_a_damaged_dump(sqlite_jejak: Jejak, hr: Actor, tmp_path: Path) -> None:
    sqlite_jejak.registry.register_unit(hr, "SETDA", "Sekretariat Daerah")
    manifest = create_backup(sqlite_jejak, tmp_path / "b.tar.gz")
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    dump = tmp_path / "unpacked" / manifest.dump
    data = bytearray(dump.read_bytes())
    data[-100] ^= 0xFF
    dump.write_bytes(bytes(data))
    with tarfile.open(tmp_path / "damaged.tar.gz", "w:gz") as tar:
        for name in ("manifest.json", manifest.dump):
            tar.add(tmp_path / "unpacked" / name, arcname=name)
    target = Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path / "target")})

    with pytest.raises(BackupError, match="SHA-256"):
        restore_backup(target, tmp_path / "damaged.tar.gz")


def test_restore_refuses_another_cipher_key(tmp_path: Path, cleanup: list[str]) -> None:
    source = Jejak(fresh("sqlite", tmp_path / "source", cleanup, cipher_key=KEY))
    try:
        source.init(system_actor("test-init"))
        create_backup(source, tmp_path / "b.tar.gz")
    finally:
        source.close()

    for other in (new_cipher_key(), None):
        with pytest.raises(BackupError, match="cipher key"):
            restore_backup(fresh("sqlite", tmp_path / f"t{other is None}", cleanup, cipher_key=other),
                           tmp_path / "b.tar.gz")


def test_restore_refuses_a_backup_of_the_other_database(tmp_path: Path, cleanup: list[str]) -> None:
    source = Jejak(fresh("sqlite", tmp_path / "source", cleanup))
    try:
        source.init(system_actor("test-init"))
        create_backup(source, tmp_path / "b.tar.gz")
    finally:
        source.close()

    with pytest.raises(BackupError, match="sqlite database"):
        restore_backup(fresh("postgres", tmp_path / "target", cleanup), tmp_path / "b.tar.gz")


def test_a_pg_dump_older_than_the_server_is_refused() -> None:
    assert check_pg_dump(100000).startswith("pg_dump")
    with pytest.raises(BackupError, match="older than the PostgreSQL 99 server"):
        check_pg_dump(990000)


def test_backup_commands_create_an_archive_and_restore_it_with_progress(tmp_path: Path) -> None:
    source = {"JEJAK_VAR_DIR": str(tmp_path / "source")}
    system = Jejak(Settings.from_env(source))
    system.init(system_actor("test-init"))
    system.close()
    made = jejak_cli("backup", "create", "--out", str(tmp_path / "b.tar.gz"), env=source)
    assert made.returncode == 0, made.stderr
    assert read_manifest(tmp_path / "b.tar.gz").head_position > 0

    target = {"JEJAK_VAR_DIR": str(tmp_path / "target")}
    restored = jejak_cli("backup", "restore", str(tmp_path / "b.tar.gz"), env=target)
    again = jejak_cli("backup", "restore", str(tmp_path / "b.tar.gz"), env=target)

    assert restored.returncode == 0, restored.stderr
    assert "ledger unverified" in restored.stdout  # no trusted seal key is configured for the target
    assert "verify ledger" in restored.stderr and "rebuild directory" in restored.stderr
    assert again.returncode == 1
    assert "not empty" in again.stderr


def test_restore_carries_the_mail_outbox_with_its_delivery_state(backend: str, tmp_path: Path,
                                                                 cleanup: list[str]) -> None:
    source = Jejak(fresh(backend, tmp_path / "source", cleanup))
    try:
        source.init(system_actor("test-init"))
        now = datetime.now(UTC)
        with source.engine.begin() as conn:
            for position, status in ((1, "sent"), (2, "pending")):
                conn.execute(outbox.insert().values(
                    position=position, originator_id=str(uuid4()), originator_version=1, kind="review_requested",
                    recipient=f"employee:{uuid4()}", params="{}", created_at=now, status=status, attempts=1,
                    sent_at=now if status == "sent" else None))
        before = sorted((r["position"], r["status"]) for r in source.outbox.rows())
        create_backup(source, tmp_path / "b.tar.gz")
    finally:
        source.close()

    target_settings = fresh(backend, tmp_path / "target", cleanup)
    restore_backup(target_settings, tmp_path / "b.tar.gz")

    target = Jejak(target_settings)
    try:
        assert sorted((r["position"], r["status"]) for r in target.outbox.rows()) == before == [(1, "sent"),
                                                                                               (2, "pending")]
    finally:
        target.close()

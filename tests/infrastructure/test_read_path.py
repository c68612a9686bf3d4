"""What every request reads cheaply: the log's head, and ids read back from SQLite's hex text."""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

from sqlalchemy import Column, MetaData, String, Table, Uuid, insert, select

from application.actor import Actor
from infrastructure.config import Database
from infrastructure.container import Jejak
from infrastructure.database import HexUuid, make_engine, uuid_from_hex


def test_ids_read_from_hex_text_equal_parsed_uuids() -> None:
    for made in [uuid.uuid4(), uuid.uuid1(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)]:
        read = uuid_from_hex(made.hex)
        assert read == made and hash(read) == hash(made) and str(read) == str(made) and repr(read) == repr(made)
        assert read.version == made.version and read.bytes == made.bytes and {read: 1}[made] == 1
    assert uuid_from_hex(None) is None


def test_ids_stored_in_another_spelling_still_read_correctly() -> None:
    made = uuid.uuid4()
    assert uuid_from_hex(str(made)) == made  # 36 characters: parsed the slow way
    assert uuid_from_hex("{" + str(made) + "}") == made


def test_a_sqlite_read_model_reads_uuid_columns_through_the_hex_reader(tmp_path: Path) -> None:
    engine = make_engine(Database.parse(f"sqlite:///{tmp_path / 'x.db'}"))
    assert isinstance(engine.dialect.type_descriptor(Uuid()), HexUuid)
    table = Table("things", MetaData(), Column("id", Uuid, primary_key=True), Column("raw", String))
    table.metadata.create_all(engine)
    ids = [uuid.uuid4() for _ in range(3)]
    with engine.begin() as conn:
        conn.execute(insert(table), [{"id": i, "raw": i.hex} for i in ids])
        conn.exec_driver_sql("INSERT INTO things (id) VALUES (?)", ("00000000-0000-4000-8000-000000000000",))
    with engine.connect() as conn:
        read = set(conn.execute(select(table.c.id)).scalars())
    assert set(ids) <= read and uuid.UUID("00000000-0000-4000-8000-000000000000") in read
    assert all(type(i) is uuid.UUID for i in read)
    engine.dispose()


def test_the_head_is_the_last_stored_position_in_every_thread(sqlite_jejak: Jejak, hr: Actor) -> None:
    runner = sqlite_jejak.projections
    before = runner.head()
    assert before == int(sqlite_jejak.ledger.recorder.max_notification_id() or 0)
    sqlite_jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian")
    after = runner.head()
    assert after > before and after == int(sqlite_jejak.ledger.recorder.max_notification_id() or 0)
    seen: list[int] = []
    thread = threading.Thread(target=lambda: seen.append(runner.head()))
    thread.start()
    thread.join()
    assert seen == [after]


def test_a_forked_process_reads_the_head_on_a_connection_of_its_own(sqlite_jejak: Jejak, hr: Actor) -> None:
    runner = sqlite_jejak.projections
    runner.head()  # the parent's connection exists before the fork
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child writes and reads its own head: a connection inherited across fork would be unsafe
        try:
            sqlite_jejak.registry.register_unit(hr, "DINSOS", "Dinas Sosial")
            os.write(write, str(runner.head()).encode())
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    child_head = int(os.read(read, 64).decode())
    assert child_head == runner.head() == int(sqlite_jejak.ledger.recorder.max_notification_id() or 0)

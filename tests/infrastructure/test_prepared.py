"""A statement run through ``Prepared`` (compiled once, straight through the driver) reads and writes what the same
statement does through SQLAlchemy, on both databases."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)

from infrastructure.container import Jejak
from infrastructure.database import HexUuid, UTCDateTime
from infrastructure.prepared import NotPreparable, Prepared, execute, insert_many

metadata = MetaData()
things = Table(
    "prepared_things", metadata,
    Column("id", HexUuid, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("born", Date),
    Column("at", UTCDateTime()),
    Column("details", JSON),
    Column("count", Integer, nullable=False, server_default="0"),
)
with_python_default = Table("prepared_defaults", MetaData(), Column("id", Integer, primary_key=True),
                            Column("n", Integer, default=lambda: 7), Column("m", Integer, onupdate=lambda: 9))


def rows_of(jejak: Jejak) -> list[dict[str, Any]]:
    """Every thing through SQLAlchemy, by name."""
    with jejak.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(things).order_by(things.c.name))]


def some_things(n: int) -> list[dict[str, Any]]:
    """Things with every column type the read models use."""
    return [{"id": uuid.uuid4(), "name": f"thing {i:02}", "born": date(1990, 1, 1 + i),
             "at": datetime(2026, 12, 5, 8, i, tzinfo=UTC), "details": {"i": i, "tags": ["a", "b"]}, "count": i}
            for i in range(n)]


@pytest.fixture
def store(jejak: Jejak) -> Jejak:
    """A system with the test table created beside its read models."""
    metadata.create_all(jejak.engine)
    return jejak


def test_inserted_rows_read_back_as_sqlalchemy_inserted_them(store: Jejak) -> None:
    given = some_things(5)
    with store.engine.begin() as conn:
        insert_many(conn, things, given[:3])
        conn.execute(insert(things), given[3:])
    read = rows_of(store)
    assert read == sorted(given, key=lambda r: r["name"])
    with store.engine.connect() as conn:
        assert Prepared(select(things).order_by(things.c.name)).all(conn) == read


def test_a_row_reads_as_through_sqlalchemy_with_every_type_processed(store: Jejak) -> None:
    given = some_things(3)
    with store.engine.begin() as conn:
        insert_many(conn, things, given)
    by_id = Prepared(select(things).where(things.c.id == bindparam("b_id")))
    with store.engine.connect() as conn:
        found = by_id.first(conn, {"b_id": given[1]["id"]})
        through_sqlalchemy = dict(conn.execute(by_id.statement, {"b_id": given[1]["id"]}).one()._mapping)
        missing = by_id.first(conn, {"b_id": uuid.uuid4()})
    assert found == through_sqlalchemy == given[1]
    assert isinstance(found["id"], uuid.UUID) and isinstance(found["born"], date) and found["at"].tzinfo is not None
    assert missing is None


def test_values_bound_in_the_statement_itself_are_sent(store: Jejak) -> None:
    with store.engine.begin() as conn:
        insert_many(conn, things, some_things(4))
    counted = Prepared(select(func.count()).select_from(things).where(things.c.count >= 2, things.c.name != "x"))
    with store.engine.connect() as conn:
        assert counted.scalar(conn) == 2


def test_a_list_parameter_is_rendered_for_its_length_each_time(store: Jejak) -> None:
    given = some_things(6)
    with store.engine.begin() as conn:
        insert_many(conn, things, given)
    among = Prepared(select(things.c.name).where(things.c.id.in_(bindparam("ids", expanding=True)),
                                                 things.c.count < bindparam("below")).order_by(things.c.name))
    with store.engine.connect() as conn:
        assert among.all(conn, {"ids": [given[0]["id"], given[4]["id"]], "below": 9}) == [
            {"name": "thing 00"}, {"name": "thing 04"}]
        assert among.all(conn, {"ids": [g["id"] for g in given], "below": 3}) == [
            {"name": f"thing 0{i}"} for i in range(3)]
        assert among.all(conn, {"ids": [], "below": 9}) == []


def test_an_update_changes_the_rows_sqlalchemy_would_and_counts_them(store: Jejak) -> None:
    given = some_things(3)
    with store.engine.begin() as conn:
        insert_many(conn, things, given)
    rename = Prepared(update(things).where(things.c.id == bindparam("b_id"))
                      .values(name=bindparam("new_name"), count=things.c.count + 10, details=bindparam("new_details")))
    with store.engine.begin() as conn:
        changed = rename.execute(conn, {"b_id": given[2]["id"], "new_name": "renamed", "new_details": {"x": [1]}})
        rename.execute_many(conn, [{"b_id": given[0]["id"], "new_name": "first", "new_details": None}])
    assert changed == 1
    read = {r["id"]: r for r in rows_of(store)}
    assert read[given[2]["id"]]["name"] == "renamed" and read[given[2]["id"]]["count"] == 12
    assert read[given[2]["id"]]["details"] == {"x": [1]}
    assert read[given[0]["id"]]["name"] == "first" and read[given[0]["id"]]["details"] is None


def test_a_rolled_back_transaction_keeps_nothing_written_through_the_driver(store: Jejak) -> None:
    with store.engine.connect() as conn:
        with conn.begin() as tx:
            insert_many(conn, things, some_things(2))
            tx.rollback()
    assert rows_of(store) == []


def test_statements_filled_differently_per_call_are_refused(store: Jejak) -> None:
    with store.engine.connect() as conn:
        with pytest.raises(NotPreparable, match="Python"):
            Prepared(insert(with_python_default), column_keys=["id"]).execute(conn, {"id": 1})
        with pytest.raises(NotPreparable, match="RETURNING"):
            Prepared(insert(things).returning(things.c.id), column_keys=["id", "name"]).first(
                conn, {"id": uuid.uuid4(), "name": "x"})


def test_rows_that_a_python_default_fills_are_inserted_through_sqlalchemy(store: Jejak) -> None:
    with_python_default.metadata.create_all(store.engine)
    with store.engine.begin() as conn:
        insert_many(conn, with_python_default, [{"id": 1}, {"id": 2}])
    with store.engine.connect() as conn:
        assert conn.execute(select(with_python_default.c.n)).scalars().all() == [7, 7]


def test_a_statement_that_cannot_be_prepared_runs_through_sqlalchemy(store: Jejak) -> None:
    with_python_default.metadata.create_all(store.engine)
    touch = update(with_python_default).where(with_python_default.c.id == bindparam("b_id")).values(
        n=bindparam("new_n"))
    with store.engine.begin() as conn:
        insert_many(conn, with_python_default, [{"id": 1}])
        execute(conn, touch, {"b_id": 1, "new_n": 3})  # the onupdate default is computed in Python
        execute(conn, touch, {"b_id": 1, "new_n": 4})
    with store.engine.connect() as conn:
        assert conn.execute(select(with_python_default.c.n, with_python_default.c.m)).one() == (4, 9)


def test_a_one_off_read_gives_the_row_or_rows_and_leaves_no_transaction_holding_the_table(store: Jejak) -> None:
    given = some_things(3)
    with store.engine.begin() as conn:
        insert_many(conn, things, given)
    by_id = Prepared(select(things).where(things.c.id == bindparam("b_id")))
    by_ids = Prepared(select(things).where(things.c.id.in_(bindparam("ids", expanding=True))).order_by(things.c.id))

    assert by_id.one_off(store.engine, {"b_id": given[0]["id"]}) == given[0]
    assert by_id.one_off(store.engine, {"b_id": uuid.uuid4()}) is None
    wanted = sorted(given[:2], key=lambda thing: thing["id"])
    assert by_ids.all_off(store.engine, {"ids": [t["id"] for t in wanted] + [uuid.uuid4()]}) == wanted
    assert by_ids.all_off(store.engine, {"ids": []}) == []
    with store.engine.begin() as conn:  # a transaction left open by the read would hold the table: this would wait
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
        conn.execute(things.delete())
        things.drop(conn)

"""keyset_page reads each page and the count of the whole list in one statement."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, create_engine, event, select

from infrastructure.paging import keyset_page

metadata = MetaData()
items = Table("items", metadata, Column("id", Integer, primary_key=True), Column("n", Integer, nullable=False))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite file with seven items."""
    engine = create_engine(f"sqlite:///{tmp_path / 'items.db'}")
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(items.insert(), [{"id": i, "n": i * 10} for i in range(1, 8)])
    yield engine
    engine.dispose()


def _counting(engine: Engine) -> list[str]:
    """The SQL statements the engine runs from now on."""
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    return seen


def test_a_first_page_holding_the_whole_list_is_one_statement(engine: Engine) -> None:
    seen = _counting(engine)
    with engine.connect() as conn:
        page = keyset_page(conn, select(items), [(items.c.id, False)], limit=10)
    assert page.total == 7 and len(page.items) == 7 and page.next_cursor is None
    assert len(seen) == 1 and set(page.items[0]) == {"id", "n"}


def test_each_page_of_a_longer_list_is_counted_in_its_own_statement(engine: Engine) -> None:
    seen = _counting(engine)
    with engine.connect() as conn:
        first = keyset_page(conn, select(items), [(items.c.id, False)], limit=3)
        second = keyset_page(conn, select(items), [(items.c.id, False)], limit=3, cursor=first.next_cursor)
        last = keyset_page(conn, select(items), [(items.c.id, False)], limit=3, cursor=second.next_cursor)
    assert (first.total, second.total, last.total) == (7, 7, 7)
    assert [row["id"] for row in last.items] == [7] and last.next_cursor is None
    assert len(seen) == 3 and all("count(" in s.lower() for s in seen)  # one statement a page, its count in it


def test_a_page_after_the_last_row_still_counts_the_list(engine: Engine) -> None:
    with engine.connect() as conn:
        first = keyset_page(conn, select(items), [(items.c.id, False)], limit=7)
        assert first.next_cursor is None
        beyond = keyset_page(conn, select(items).where(items.c.id < 7), [(items.c.id, False)], limit=3,
                             cursor=keyset_page(conn, select(items), [(items.c.id, False)], limit=6).next_cursor)
    assert (beyond.total, beyond.items, beyond.next_cursor) == (6, [], None)


def test_an_empty_list_counts_zero(engine: Engine) -> None:
    with engine.connect() as conn:
        page = keyset_page(conn, select(items).where(items.c.n > 1000), [(items.c.id, False)], limit=5)
    assert (page.total, page.items, page.next_cursor) == (0, [], None)

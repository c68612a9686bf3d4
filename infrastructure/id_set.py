"""A set of ids bound as ONE parameter: ``column IN (the set)`` without a bound parameter per id.

A supervisor's scope is everyone below them (hundreds of ids). As an expanding ``IN`` SQLAlchemy renders, names and
converts a parameter per id on every execution, which cost more than the query itself; here the set travels as one
value: a JSON array read by ``json_each`` on SQLite, a ``uuid[]`` compared with ``= ANY`` on PostgreSQL. The
statement's text is then the same for every set, so it is compiled once.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Text, Uuid, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import NullType, TypeDecorator, TypeEngine


class IdSet(TypeDecorator[Collection[UUID]]):
    """A collection of UUIDs as one bound value (SQLite: JSON text of the stored hex form; PostgreSQL: uuid[])."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """uuid[] on PostgreSQL, text elsewhere."""
        return dialect.type_descriptor(ARRAY(Uuid()) if dialect.name == "postgresql" else Text())

    def process_bind_param(self, value: Collection[UUID] | None, dialect: Dialect) -> Any:
        """The ids as the dialect's one value (on SQLite as ``Uuid`` stores them: 32 hex digits)."""
        if value is None:
            return None
        if dialect.name == "postgresql":
            return list(value)
        last = _LAST[0]
        if last is not None and last[0] is value:  # a page's count and rows bind the same set: encode it once
            return last[1]
        encoded = json.dumps([v.hex for v in value])
        if isinstance(value, frozenset):  # only a set that cannot change may be known by its identity
            _LAST[0] = (value, encoded)  # held, so no other object can take its identity while it is kept
        return encoded


_LAST: list[tuple[frozenset[UUID], str] | None] = [None]


class InIdSet(ColumnElement[bool]):
    """``column IN`` the ids bound to one parameter of type ``IdSet``."""

    inherit_cache = True
    type = NullType()  # type: ignore[assignment] # a predicate as it is: a Boolean would be compared with 1 on SQLite
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("ids", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement[Any], ids: ColumnElement[Any]):
        self.column = column
        self.ids = ids


@compiles(InIdSet)
def _in_json_each(element: InIdSet, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} IN (SELECT value FROM json_each({compiler.process(element.ids, **kw)}))"


@compiles(InIdSet, "postgresql")
def _any_array(element: InIdSet, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.ids, **kw)})"


def in_id_set(column: ColumnElement[Any], name: str) -> InIdSet:
    """``column`` is one of the ids given as the parameter ``name`` (a collection of UUIDs)."""
    return InIdSet(column, bindparam(name, type_=IdSet()))

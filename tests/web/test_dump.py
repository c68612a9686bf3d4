"""The compiled dump (web/dump.py) gives exactly marshmallow's output, field kind by field kind."""

from __future__ import annotations

import decimal
from collections import OrderedDict
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import marshmallow as ma
import pytest

from web.dump import Out, compile_dump


class Inner(ma.Schema):
    """A nested schema that is not an Out."""

    code = ma.fields.String()
    count = ma.fields.Integer()


class Everything(Out):
    """One field of each kind the compiled dump knows, and some it hands back to marshmallow."""

    id = ma.fields.UUID()
    name = ma.fields.String()
    label = ma.fields.String(data_key="title")
    renamed = ma.fields.String(attribute="source_name")
    dotted = ma.fields.String(attribute="inner.code")
    count = ma.fields.Integer()
    ratio = ma.fields.Float()
    text_number = ma.fields.Integer(as_string=True)
    money = ma.fields.Decimal()
    flag = ma.fields.Boolean(allow_none=True)
    day = ma.fields.Date()
    at = ma.fields.AwareDateTime()
    naive = ma.fields.NaiveDateTime()
    stamp = ma.fields.DateTime(format="%Y/%m/%d")
    raw = ma.fields.Raw()
    data = ma.fields.Dict()
    tags = ma.fields.List(ma.fields.String())
    maybe_tags = ma.fields.List(ma.fields.String(), allow_none=True)
    inner = ma.fields.Nested(Inner, allow_none=True)
    inners = ma.fields.List(ma.fields.Nested(Inner))
    many_inner = ma.fields.Nested(Inner, many=True)
    only_code = ma.fields.Nested(Inner, only=("code",))
    plucked = ma.fields.Pluck(Inner, "code", many=True)
    computed = ma.fields.Function(lambda row: len(str(row.get("name") or "")))
    method = ma.fields.Method("shout")
    defaulted = ma.fields.String(dump_default="none given")
    constant = ma.fields.Constant(7)
    copy = ma.fields.String()  # absent from a dict, marshmallow finds the dict's own method of that name

    def shout(self, row: Any) -> str:
        """A Method field."""
        return str(row.get("name", "")).upper()


FULL: dict[str, Any] = {
    "id": UUID("12345678-1234-5678-1234-567812345678"), "name": "Siti", "label": "Kepala", "source_name": "src",
    "count": 3, "ratio": 2, "text_number": 5, "money": decimal.Decimal("1.50"), "flag": True,
    "day": date(2026, 1, 2), "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "naive": datetime(2026, 1, 2),
    "stamp": datetime(2026, 5, 6), "raw": {"a": [1, 2]}, "data": {"k": 1}, "tags": ["a", b"b", 3],
    "maybe_tags": None, "inner": {"code": "X", "count": "4"}, "inners": [{"code": "Y", "count": 1}, None],
    "many_inner": [{"code": 1}], "only_code": {"code": "Z", "count": 9}, "plucked": [{"code": "P"}],
}
ROWS = [
    FULL,
    {k: None for k in FULL},  # every value None
    {"id": FULL["id"]},  # most keys missing: defaults, skipped fields
    OrderedDict(FULL),  # not a plain dict: marshmallow's accessor
    {**FULL, "count": True, "ratio": 1.5, "name": 12, "inner": {"code": None}},
]


@pytest.mark.parametrize("row", ROWS, ids=["full", "nones", "sparse", "ordered", "odd-types"])
def test_compiled_dump_equals_marshmallows(row: dict[str, Any]) -> None:
    """One object and a list of them: the same keys, values and value types."""
    schema = Everything()
    for many, obj in ((False, row), (True, [row, FULL])):
        assert schema.dump(obj, many=many) == ma.Schema.dump(schema, obj, many=many)
        assert repr(schema.dump(obj, many=many)) == repr(ma.Schema.dump(schema, obj, many=many))


def test_schemas_with_hooks_keep_marshmallows_path() -> None:
    """A schema with a post-dump hook is not compiled (the hook runs as marshmallow runs it)."""

    class Hooked(Out):
        name = ma.fields.String()

        @ma.post_dump
        def upper(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
            return {**data, "name": data["name"].upper()}

    assert compile_dump(Hooked()) is None
    assert Hooked().dump({"name": "a"}) == {"name": "A"}


def test_verify_catches_a_difference(monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``Out.verify`` on (the web tests), a compiled dump that differs from marshmallow's fails loudly."""
    schema = Everything()
    monkeypatch.setattr(Out, "verify", True)
    schema.__dict__["_compiled_dump"] = lambda obj, many: {"wrong": True}
    with pytest.raises(AssertionError, match="differs"):
        schema.dump(FULL)

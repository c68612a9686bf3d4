"""A route's argument schema, named by its class, is built once per process and serves every request."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from web import build_schemas_once
from web.feedback import ResponseIn


def test_a_schema_named_by_its_class_is_built_once_and_a_field_map_each_time() -> None:
    parser = Blueprint.ARGUMENTS_PARSER
    build_schemas_once(parser)  # as create_app does, every time: the parser is wrapped once
    build_schemas_once(parser)

    first, again = parser._get_schema(ResponseIn, None), parser._get_schema(ResponseIn, None)  # type: ignore[arg-type]
    fields = {"limit": ma.fields.Int()}

    assert isinstance(first, ResponseIn) and first is again
    assert parser._get_schema(fields, None) is not parser._get_schema(fields, None)  # type: ignore[arg-type]

"""A route's argument schema, named by its class, is built once per process and serves every request."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

import web  # noqa: F401 - importing the app's package makes the blueprints' parser build schemas once
from web.feedback import ResponseIn


def test_a_schema_named_by_its_class_is_built_once_and_a_field_map_each_time() -> None:
    parser = Blueprint.ARGUMENTS_PARSER

    first, again = parser._get_schema(ResponseIn, None), parser._get_schema(ResponseIn, None)  # type: ignore[arg-type]
    fields = {"limit": ma.fields.Int()}

    assert isinstance(first, ResponseIn) and first is again
    assert parser._get_schema(fields, None) is not parser._get_schema(fields, None)  # type: ignore[arg-type]

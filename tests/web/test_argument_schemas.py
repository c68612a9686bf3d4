"""Every route's argument schema is one instance, made when the route is declared: webargs builds a schema named by
its class again on every request (it cost a submission more than the validation of its body)."""

from __future__ import annotations

import marshmallow as ma
from flask import Flask

from web import create_app


def test_every_routes_argument_schema_is_an_instance_built_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from infrastructure.config import Settings

    app: Flask = create_app({"JEJAK_SETTINGS": Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path)})})
    declared = []
    for endpoint, view in app.view_functions.items():
        for argument in getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", []):
            declared.append((endpoint, argument["schema"]))

    assert len(declared) > 50  # the API's routes with a body or query arguments
    assert [(endpoint, schema) for endpoint, schema in declared if not isinstance(schema, ma.Schema)] == []

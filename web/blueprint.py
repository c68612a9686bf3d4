"""The API's blueprints: flask-smorest's, with a webargs parser that reads the JSON body parsed once per request."""

from __future__ import annotations

from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Request
from webargs.flaskparser import FlaskParser

from web.bodies import parsed_body


class BodyOnceParser(FlaskParser):
    """webargs' Flask parser taking the JSON body ``web.bodies`` already parsed for its depth check (the same
    text, decoded the same way) instead of decoding it a second time."""

    def load_json(self, req: Request, schema: ma.Schema) -> Any:
        """The request's JSON body (webargs' own parse where the depth check did not parse it)."""
        found = parsed_body()
        return super().load_json(req, schema) if found is ma.missing else found


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with ``BodyOnceParser``."""

    ARGUMENTS_PARSER = BodyOnceParser()

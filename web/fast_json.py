"""JSON responses encoded by orjson (several times faster than the standard encoder on a page of rows).

The bytes differ from Flask's encoder only where JSON allows it: non-ASCII text is written as UTF-8 rather than
``\\u`` escapes. Everything orjson does not encode the way Flask does (dates and datetimes: Flask writes them as
HTTP dates; dataclasses) goes to Flask's own ``default``, and anything orjson refuses (a lone surrogate, an
integer beyond 64 bits) is encoded by Flask's encoder as before; pretty output (debug) is Flask's too.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider
from werkzeug.sansio.response import Response

_OPTIONS = (orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
            | orjson.OPT_APPEND_NEWLINE)


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with compact responses written by orjson."""

    sort_keys = False

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """As Flask's, encoded by orjson when the output would be compact."""
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)
        obj = self._prepare_response_obj(args, kwargs)
        try:
            body = orjson.dumps(obj, default=self.default, option=_OPTIONS)
        except (orjson.JSONEncodeError, TypeError):
            return super().response(*args, **kwargs)
        return self._app.response_class(body, mimetype=self.mimetype)  # type: ignore[arg-type]

"""Shared marshmallow building blocks: strict input, required reason and effective date."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from domain.text import UNSAFE_TEXT_REASON, describe, unsafe_paths

Text = validate.Length(min=1, max=200)
LongText = validate.Length(min=1, max=2000)


# The ``reason`` of a recorded read, as machine clients give it in the query string. Documented as such: a query
# string lands in access logs and browser history, so the pages ask for the reason with a POST form instead.
READ_REASON = ("why you read this record, stored with the read as an event (a recorded read). For machine clients: "
               "it travels in the URL, so access logs and proxies may keep it; write it without personal details. "
               "The web pages ask for it with a POST form and record the read once.")
READ_CASE = "the case or assignment the read belongs to, stored with the read (optional)"


class Strict(ma.Schema):
    """Input schema that refuses unknown fields and text no stored record may hold."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def refuse_unsafe_text(self, data: Any, **_: Any) -> Any:
        """Refuse control characters, unpaired surrogates and bidirectional overrides in any field, before
        anything else looks at the input (one rule, domain.text, for every schema)."""
        found = {path: [f"{UNSAFE_TEXT_REASON}: {describe(char)}"] for path, char in unsafe_paths(_plain(data))}
        if found:
            raise ma.ValidationError(found)
        return data


def _plain(data: Any) -> Any:
    """Query and form input arrive as a MultiDict; check every value given, not only the first."""
    if hasattr(data, "to_dict") and hasattr(data, "getlist"):
        return {key: values[0] if len(values) == 1 else values for key in data if (values := data.getlist(key))}
    return data


class ChangeIn(Strict):
    """Fields every career change carries: when it takes effect (TMT) and why."""

    effective = ma.fields.Date(required=True, metadata={"description": "TMT: the date the change takes effect"})
    reason = ma.fields.String(required=True, validate=LongText)


class PageQuery(Strict):
    """Keyset pagination parameters."""

    cursor = ma.fields.String(load_default=None, validate=validate.Length(max=500))
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))

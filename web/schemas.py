"""Shared marshmallow building blocks: strict input, required reason and effective date."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

Text = validate.Length(min=1, max=200)
LongText = validate.Length(min=1, max=2000)


class Strict(ma.Schema):
    """Input schema that refuses unknown fields."""

    class Meta:
        unknown = ma.RAISE


class ChangeIn(Strict):
    """Fields every career change carries: when it takes effect (TMT) and why."""

    effective = ma.fields.Date(required=True, metadata={"description": "TMT: the date the change takes effect"})
    reason = ma.fields.String(required=True, validate=LongText)


class PageQuery(Strict):
    """Keyset pagination parameters."""

    cursor = ma.fields.String(load_default=None, validate=validate.Length(max=500))
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))

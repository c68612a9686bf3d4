"""Filters of the promotion case list and the decision history: one set of rules for the API and the pages."""

from __future__ import annotations

import re

import marshmallow as ma

from domain.eligibility import KINDS
from domain.promotion_case import OUTCOMES, STATUSES
from web.schemas import PageQuery

PERIOD_FILTER = re.compile(r"^(19|20)\d{2}(-(0[1-9]|1[0-2]))?$")
PeriodFilter = ma.validate.Regexp(PERIOD_FILTER, error="must be a year like 2026 or a "
                                                                              "month like 2026-10")


class CaseQuery(PageQuery):
    """Case list filters."""

    unit = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=20))
    period = ma.fields.String(load_default=None, validate=PeriodFilter)
    outcome = ma.fields.String(load_default=None, validate=ma.validate.OneOf(OUTCOMES))
    flagged = ma.fields.Boolean(load_default=None, allow_none=True)
    kind = ma.fields.String(load_default=None, validate=ma.validate.OneOf(KINDS))
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(STATUSES))
    candidate_id = ma.fields.UUID(load_default=None)


class HistoryQuery(PageQuery):
    """Decision history filters."""

    unit = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=20))
    period = ma.fields.String(load_default=None, validate=PeriodFilter)
    outcome = ma.fields.String(load_default=None, validate=ma.validate.OneOf(OUTCOMES))
    flagged = ma.fields.Boolean(load_default=None, allow_none=True)
    kind = ma.fields.String(load_default=None, validate=ma.validate.OneOf(KINDS))

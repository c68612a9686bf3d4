"""Download links of the HR pages: the same tables as /api/exports, for a signed-in account, in its language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import Blueprint, request

from web import appraisals as appraisal_api
from web import employees as employee_api
from web import exports
from web import feedback as feedback_api
from web import grievances as grievance_api
from web import promotions as promotion_api
from web import talent as talent_api
from web import trainings as training_api
from web.pages.access import page
from web.pages.render import error_page

bp = Blueprint("exports", __name__)


def send(schema: type[ma.Schema], build: Callable[[dict[str, Any]], exports.Table]) -> Any:
    """Check the query as the API does, then the table as a file (headers in the page's language)."""
    try:
        query = schema().load(request.args)
    except ma.ValidationError as e:
        return error_page(422, "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in e.normalized_messages().items()))
    return exports.download(build(query), query["format"])


@bp.route("/exports/employees")
@page(employee_api.list_employees)
def directory() -> Any:
    """The directory."""
    return send(exports.DirectoryQuery, exports.directory_table)


@bp.route("/exports/units/<code>/feedback-report")
@page(feedback_api.unit_report)
def rates(code: str) -> Any:
    """A unit's 360 response rates."""
    return send(exports.RatesQuery, lambda q: exports.rates_table(q, code))


@bp.route("/exports/units/<code>/predicate-distribution")
@page(appraisal_api.predicate_distribution)
def distribution(code: str) -> Any:
    """A unit's predicate distribution."""
    return send(exports.DistributionQuery, lambda q: exports.distribution_table(q, code))


@bp.route("/exports/units/<code>/training-shortfall")
@page(training_api.training_shortfall)
def shortfall(code: str) -> Any:
    """Who in a unit is below the JP minimum."""
    return send(exports.ShortfallQuery, lambda q: exports.shortfall_table(q, code))


@bp.route("/exports/units/<code>/talent-grid")
@page(talent_api.talent_grid)
def grid(code: str) -> Any:
    """A unit's 9-box."""
    return send(exports.GridQuery, lambda q: exports.grid_table(q, code))


@bp.route("/exports/promotion-decisions")
@page(promotion_api.decision_history)
def history() -> Any:
    """The promotion decision history."""
    return send(exports.HistoryQuery, exports.history_table)


@bp.route("/exports/grievances")
@page(grievance_api.list_grievances)
def grievance_list() -> Any:
    """The grievances the visitor may list."""
    return send(exports.GrievanceQuery, exports.grievance_table)

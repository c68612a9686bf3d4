"""Download links of the HR pages: the same tables as /api/exports, for a signed-in account, in its language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import Blueprint, request

from web import tables as exports
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
@page("employees.list_employees")
def directory() -> Any:
    """The directory."""
    return send(exports.DirectoryQuery, exports.directory_table)


@bp.route("/exports/units/<code>/feedback-report")
@page("feedback.unit_report")
def rates(code: str) -> Any:
    """A unit's 360 response rates."""
    return send(exports.RatesQuery, lambda q: exports.rates_table(q, code))


@bp.route("/exports/units/<code>/predicate-distribution")
@page("appraisals.predicate_distribution")
def distribution(code: str) -> Any:
    """A unit's predicate distribution."""
    return send(exports.DistributionQuery, lambda q: exports.distribution_table(q, code))


@bp.route("/exports/units/<code>/training-shortfall")
@page("trainings.training_shortfall")
def shortfall(code: str) -> Any:
    """Who in a unit is below the JP minimum."""
    return send(exports.ShortfallQuery, lambda q: exports.shortfall_table(q, code))


@bp.route("/exports/units/<code>/talent-grid")
@page("talent.talent_grid")
def grid(code: str) -> Any:
    """A unit's 9-box."""
    return send(exports.GridQuery, lambda q: exports.grid_table(q, code))


@bp.route("/exports/units/<code>/development")
@page("development.unit_development")
def development(code: str) -> Any:
    """A unit's development report."""
    return send(exports.DevelopmentQuery, lambda q: exports.development_table(q, code))


@bp.route("/exports/promotion-decisions")
@page("promotions.decision_history")
def history() -> Any:
    """The promotion decision history."""
    return send(exports.HistoryQuery, exports.history_table)


@bp.route("/exports/grievances")
@page("grievances.list_grievances")
def grievance_list() -> Any:
    """The grievances the visitor may list."""
    return send(exports.GrievanceQuery, exports.grievance_table)

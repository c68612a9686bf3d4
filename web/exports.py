"""CSV and XLSX downloads of the tables HR reads (web/tables.py): each admits the roles of its JSON twin."""

from __future__ import annotations

from typing import Any

from flask import Response

from web.auth import allow
from web.blueprint import Blueprint
from web.tables import (
    DevelopmentQuery,
    DirectoryQuery,
    DistributionQuery,
    GridQuery,
    GrievanceQuery,
    HistoryQuery,
    RatesQuery,
    ShortfallQuery,
    api_language,
    development_table,
    directory_table,
    distribution_table,
    grid_table,
    grievance_table,
    history_table,
    in_language,
    rates_table,
    shortfall_table,
)

blp = Blueprint("exports", __name__, url_prefix="/api/exports", description="CSV and XLSX downloads of HR tables")


# --- API routes: the roles of each JSON twin ---------------------------------------------------------------------


@blp.route("/employees")
@allow()
@blp.arguments(DirectoryQuery(), location="query")
@blp.response(200)
def export_directory(query: dict[str, Any]) -> Response:
    """The directory (twin: GET /api/employees) as CSV or XLSX."""
    return in_language(lambda: directory_table(query), query["format"], api_language())


@blp.route("/units/<code>/feedback-report")
@allow()
@blp.arguments(RatesQuery(), location="query")
@blp.response(200)
def export_rates(query: dict[str, Any], code: str) -> Response:
    """The unit's 360 response rates (twin: GET /api/units/{code}/feedback-report) as CSV or XLSX."""
    return in_language(lambda: rates_table(query, code), query["format"], api_language())


@blp.route("/units/<code>/predicate-distribution")
@allow()
@blp.arguments(DistributionQuery(), location="query")
@blp.response(200)
def export_distribution(query: dict[str, Any], code: str) -> Response:
    """The unit's predicate distribution (twin: GET /api/units/{code}/predicate-distribution) as CSV or XLSX."""
    return in_language(lambda: distribution_table(query, code), query["format"], api_language())


@blp.route("/units/<code>/training-shortfall")
@allow()
@blp.arguments(ShortfallQuery(), location="query")
@blp.response(200)
def export_shortfall(query: dict[str, Any], code: str) -> Response:
    """Who is below the JP minimum (twin: GET /api/units/{code}/training-shortfall) as CSV or XLSX."""
    return in_language(lambda: shortfall_table(query, code), query["format"], api_language())


@blp.route("/units/<code>/development")
@allow()
@blp.arguments(DevelopmentQuery(), location="query")
@blp.response(200)
def export_development(query: dict[str, Any], code: str) -> Response:
    """The unit's development report (twin: GET /api/units/{code}/development) as CSV or XLSX."""
    return in_language(lambda: development_table(query, code), query["format"], api_language())


@blp.route("/units/<code>/talent-grid")
@allow()
@blp.arguments(GridQuery(), location="query")
@blp.response(200)
def export_grid(query: dict[str, Any], code: str) -> Response:
    """The unit's 9-box (twin: GET /api/units/{code}/talent-grid) as CSV or XLSX."""
    return in_language(lambda: grid_table(query, code), query["format"], api_language())


@blp.route("/promotion-decisions")
@allow()
@blp.arguments(HistoryQuery(), location="query")
@blp.response(200)
def export_history(query: dict[str, Any]) -> Response:
    """The promotion decision history (twin: GET /api/promotion-decisions) as CSV or XLSX."""
    return in_language(lambda: history_table(query), query["format"], api_language())


@blp.route("/grievances")
@allow()
@blp.arguments(GrievanceQuery(), location="query")
@blp.response(200)
def export_grievances(query: dict[str, Any]) -> Response:
    """The grievances the caller may list (twin: GET /api/grievances) as CSV or XLSX."""
    return in_language(lambda: grievance_table(query), query["format"], api_language())

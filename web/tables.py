"""The tables HR reads, as CSV and XLSX files: built from the same query objects as their JSON twins (so a download
holds exactly what the twin shows the caller), all rows rather than a page; used by /api/exports and the pages."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import Response, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from application.queries.filters import CaseFilter, EmployeeFilter, GrievanceFilter
from domain.ranks import RANK_NAMES
from web import appraisals as appraisal_api
from web import development as development_api
from web import employees as employee_api
from web import feedback as feedback_api
from web import grievances as grievance_api
from web import promotions as promotion_api
from web import trainings as training_api
from web.auth import actor, jejak
from web.pages.i18n import word
from web.schemas import Strict

FORMATS = ("csv", "xlsx")
PAGE = 500
WIB = ZoneInfo("Asia/Jakarta")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LANGUAGES = ("id", "en")


@dataclass(frozen=True)
class Column:
    """One column: the row key, its header (translated), and how to write it ("text", "int", "number", "date",
    "datetime", "bool", "word": a code written as the visitor's word)."""

    key: str
    header: Any
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    """What a download holds."""

    name: str
    columns: Sequence[Column]
    rows: list[dict[str, Any]]


class FormatQuery(Strict):
    """The file format."""

    format = ma.fields.String(load_default="csv", validate=ma.validate.OneOf(FORMATS),
                              metadata={"description": "csv (UTF-8, comma-separated) or xlsx"})


def _without_paging(schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The twin's query schema plus ``format``, without its page fields (an export holds every row)."""
    fields = {k: v for k, v in schema().fields.items() if k not in ("limit", "cursor")}
    return type(name, (FormatQuery,), {k: type(v)(**_field_kwargs(v)) for k, v in fields.items()})


def _field_kwargs(field: ma.fields.Field) -> dict[str, Any]:
    """Re-create a field with the same validation (marshmallow fields cannot be shared between schemas safely)."""
    kwargs: dict[str, Any] = {"load_default": field.load_default, "allow_none": field.allow_none,
                              "required": field.required, "metadata": dict(field.metadata)}
    if field.validators:
        kwargs["validate"] = list(field.validators)
    if field.required:
        kwargs.pop("load_default")
    return kwargs


DirectoryQuery = _without_paging(employee_api.EmployeeQuery, "DirectoryExportQuery")
RatesQuery = _without_paging(feedback_api.UnitReportQuery, "RatesExportQuery")
DistributionQuery = _without_paging(appraisal_api.DistributionQuery, "DistributionExportQuery")
ShortfallQuery = _without_paging(training_api.YearQuery, "ShortfallExportQuery")
GridQuery = FormatQuery
HistoryQuery = _without_paging(promotion_api.HistoryQuery, "HistoryExportQuery")
GrievanceQuery = _without_paging(grievance_api.GrievanceQuery, "GrievanceExportQuery")
DevelopmentQuery = _without_paging(development_api.UnitDevelopmentQuery, "DevelopmentExportQuery")


# --- the tables (the API routes and the pages alike) -------------------------------------------------------------


def directory_table(query: dict[str, Any]) -> Table:
    """Every directory entry matching the filters, personal fields as the caller may see them."""
    flt = EmployeeFilter(query.get("unit"), query.get("rank"), query.get("name"), query.get("supervisor_id"))
    rows, cursor = [], None
    while True:
        page = jejak().queries.people.employees(actor(), flt, PAGE, cursor)
        rows += [dict(r) for r in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    names = {r["id"]: r["name"] for r in rows}
    for row in rows:
        row["rank_name"] = RANK_NAMES.get(row["rank"])
        row["supervisor_name"] = names.get(row.get("supervisor_id")) or _supervisor_name(row.get("supervisor_id"))
    return Table("directory", [
        Column("nip", _l("NIP")), Column("name", _l("Name")), Column("sex", _l("Sex"), "word"),
        Column("birth_date", _l("Birth date"), "date"), Column("unit", _l("Unit")),
        Column("unit_since", _l("In the unit since"), "date"), Column("position", _l("Position held")),
        Column("position_since", _l("In the position since"), "date"), Column("rank", _l("Rank")),
        Column("rank_name", _l("Rank name")), Column("rank_since", _l("Rank since (TMT)"), "date"),
        Column("supervisor_name", _l("Supervisor")), Column("service_start", _l("Start of service"), "date"),
    ], rows)


def _supervisor_name(supervisor_id: Any) -> str | None:
    return None if supervisor_id is None else jejak().queries.people.name_of(supervisor_id)


def rates_table(query: dict[str, Any], code: str) -> Table:
    """The unit's 360 rounds with their response rates."""
    report = jejak().queries.feedback.unit_report(actor(), code, query.get("period"))
    return Table(f"response-rates-{code}", [
        Column("reviewee_name", _l("Reviewee")), Column("period", _l("Period")), Column("status", _l("Status"), "word"),
        Column("closes_on", _l("Closes on"), "date"), Column("nominated", _l("Nominated"), "int"),
        Column("approved", _l("Approved"), "int"), Column("responded", _l("Responded"), "int"),
        Column("response_rate", _l("Response rate"), "number"),
    ], list(report["rounds"]))


def distribution_table(query: dict[str, Any], code: str) -> Table:
    """Each predicate's count and share in the unit's final appraisals of the period."""
    dist = jejak().queries.appraisals.distribution(code, query["period"])
    return Table(f"predicate-distribution-{code}-{query['period']}", [
        Column("predicate", _l("Predicate")), Column("count", _l("Count"), "int"),
        Column("percent", _l("Percent"), "number"),
    ], list(dist["predicates"]))


def shortfall_table(query: dict[str, Any], code: str) -> Table:
    """Who in the unit is below the year's JP minimum."""
    found = jejak().queries.careers.shortfall(actor(), code, query.get("year"))
    rows = [{**r, "minimum_jp": found["minimum_jp"], "year": found["year"]} for r in found["below"]]
    return Table(f"jp-shortfall-{code}-{found['year']}", [
        Column("name", _l("Name")), Column("position", _l("Position held")), Column("rank", _l("Rank")),
        Column("year", _l("Year"), "int"), Column("verified_jp", _l("Verified JP"), "int"),
        Column("unverified_jp", _l("Unverified JP"), "int"), Column("minimum_jp", _l("Minimum JP"), "int"),
        Column("shortfall_jp", _l("JP short"), "int"),
    ], rows)


def grid_table(query: dict[str, Any], code: str) -> Table:
    """The unit's 9-box: one row per person, the unplaced with what is missing."""
    grid = jejak().queries.careers.talent_grid(actor(), code)
    rows = [{**m, "box": cell["box"]} for cell in grid["boxes"] for m in cell["members"]]
    rows += [{**m, "box": None, "missing": ", ".join(m["missing"])} for m in grid["unplaced"]]
    return Table(f"9-box-{code}", [
        Column("box", _l("Box"), "int"), Column("name", _l("Name")), Column("position", _l("Position held")),
        Column("rank", _l("Rank")), Column("predicate", _l("Predicate")), Column("performance", _l("Performance"), "word"),
        Column("potential", _l("Potential"), "word"), Column("potential_assessed_on", _l("Potential assessed on"), "date"),
        Column("missing", _l("Missing")),
    ], rows)


def development_table(query: dict[str, Any], code: str) -> Table:
    """The unit's development report: one row per person with open needs, plan and planned vs verified JP."""
    year = query.get("year") or jejak().plans.today().year
    report = jejak().queries.development.unit_report(actor(), code, year)
    rows = [{**r, "year": report["year"]} for r in report["people"]]
    return Table(f"development-{code}-{report['year']}", [
        Column("name", _l("Name")), Column("position", _l("Position held")), Column("rank", _l("Rank")),
        Column("year", _l("Year"), "int"), Column("open_needs", _l("Open development needs"), "int"),
        Column("plan_status", _l("Development plan"), "word"), Column("jp_planned", _l("JP planned"), "int"),
        Column("jp_verified", _l("Verified JP"), "int"),
    ], rows)


def history_table(query: dict[str, Any]) -> Table:
    """Every committee decision matching the filters, newest first."""
    flt = CaseFilter(query.get("unit"), query.get("period"), query.get("outcome"), query.get("flagged"),
                     query.get("kind"))
    rows, cursor = [], None
    while True:
        page = jejak().queries.promotions.decisions(flt, PAGE, cursor)
        rows += page["items"]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    for row in rows:
        members = row.get("members_present")
        row["members"] = ", ".join(members) if isinstance(members, list) else members
    return Table("promotion-decisions", [
        Column("decided_on", _l("Decided on"), "date"), Column("candidate_name", _l("Candidate")),
        Column("unit", _l("Unit")), Column("kind", _l("Kind"), "word"), Column("period", _l("Period")),
        Column("outcome", _l("Outcome"), "word"), Column("eligible", _l("Eligible"), "bool"),
        Column("contrary", _l("Flagged (contrary to the assessment)"), "bool"),
        Column("rule_set_version", _l("Rule-set version"), "int"), Column("rationale", _l("Rationale")),
        Column("justification", _l("Justification")), Column("members", _l("Members present")),
        Column("position", _l("Ledger position"), "int"),
    ], rows)


def grievance_table(query: dict[str, Any]) -> Table:
    """The grievances the caller may list."""
    flt = GrievanceFilter(query.get("status"), query.get("subject"), query.get("grievant_id"))
    rows = jejak().queries.grievances.grievances(actor(), flt, 100_000)
    return Table("grievances", [
        Column("filed_on", _l("Filed on"), "date"), Column("grievant_name", _l("Grievant")),
        Column("subject", _l("Subject"), "word"), Column("status", _l("Status"), "word"),
        Column("investigator_name", _l("Investigator")), Column("outcome", _l("Outcome"), "word"),
        Column("concluded_on", _l("Concluded on"), "date"), Column("grounds", _l("Grounds")),
    ], rows)


# --- files -------------------------------------------------------------------------------------------------------


def _cell(value: Any, kind: str) -> Any:
    """A value as a spreadsheet cell: dates as dates, numbers as numbers, times in WIB without offset."""
    if value is None:
        return None
    if kind == "datetime" and isinstance(value, datetime):
        return value.astimezone(WIB).replace(tzinfo=None)
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value[:10])
    if kind == "int":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "bool":
        return bool(value)
    if kind == "word":
        return str(word(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value) if not isinstance(value, date | int | float) else value


def _rows(table: Table) -> Iterator[list[Any]]:
    for row in table.rows:
        yield [_cell(row.get(c.key), c.kind) for c in table.columns]


def csv_bytes(table: Table) -> bytes:
    """UTF-8 CSV with a byte-order mark (so spreadsheet programs read the Indonesian names right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(c.header) for c in table.columns])
    for values in _rows(table):
        writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, date) else v) for v in values])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(table: Table) -> bytes:
    """An XLSX workbook: a bold, frozen header row and typed cells."""
    from openpyxl import Workbook  # imported on first use: it would add to every process's start-up
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.name[:31]
    sheet.append([str(c.header) for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for values in _rows(table):
        sheet.append(values)
    for index, column in enumerate(table.columns, start=1):
        formats = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "number": "0.00"}
        if column.kind in formats:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = formats[column.kind]
        width = max([len(str(column.header))] + [len(str(r.get(column.key) or "")) for r in table.rows[:200]])
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(max(width + 2, 10), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(table: Table, fmt: str) -> Response:
    """The table as a file download."""
    if fmt == "xlsx":
        body, mimetype = xlsx_bytes(table), XLSX
    else:
        body, mimetype = csv_bytes(table), "text/csv; charset=utf-8"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{table.name}.{fmt}"'
    return response


def in_language(build: Callable[[], Table], fmt: str, language: str) -> Response:
    """Headers written in the visitor's language."""
    with force_locale(language):
        return download(build(), fmt)


def api_language() -> str:
    """The API's language: the best match of Accept-Language (Indonesian by default)."""
    return request.accept_languages.best_match(LANGUAGES) or "id"

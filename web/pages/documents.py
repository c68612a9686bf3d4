"""PDF documents from the page templates (WeasyPrint, with the print stylesheet): the 360 report, the committee's
decision (berita acara) and the grievance case file, each stamped with its ledger position and the digest of the
events it shows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from flask import Blueprint, Response, render_template, request

from domain.feedback_round import FeedbackRound
from infrastructure.documents import Stamp, stamp
from web.auth import actor, jejak
from web.http import parse_id
from web.pages.access import page
from web.pages.feedback import report_context
from web.pages.grievances import behind_case_file_read, readable_file
from web.pages.render import error_page

bp = Blueprint("documents", __name__)
STATIC = Path(__file__).parent / "static"
MIME = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon"}


def local_assets(url: str, **_: Any) -> Any:
    """WeasyPrint fetches only the pages' own static files, from disk (never the network)."""
    from weasyprint.urls import URLFetcherResponse

    path = urlsplit(url).path
    if path.startswith("/assets/"):
        target = (STATIC / path.removeprefix("/assets/")).resolve()
        if target.is_relative_to(STATIC.resolve()) and target.is_file():
            mime = MIME.get(target.suffix, "application/octet-stream")
            return URLFetcherResponse(url, body=target.read_bytes(), headers={"Content-Type": mime})
    raise ValueError(f"documents load no resource from {url}")


def ledger_stamp(shown: Iterable[tuple[UUID, int]]) -> Stamp:
    """The stamp of the events shown (read models caught up first, so every shown event has its position)."""
    system = jejak()
    system.projections.catch_up_quietly()
    head = int(system.ledger.recorder.max_notification_id() or 0)
    return stamp(system.engine, system.audit, head, shown)


def pdf(template: str, filename: str, shown: Iterable[tuple[UUID, int]], **context: Any) -> Response:
    """Render a page template for print and return it as a PDF download."""
    from weasyprint import HTML  # imported here: Pango is loaded only when a document is made

    html = render_template(template, stamp=ledger_stamp(shown), printed_at=datetime.now(UTC), **context)
    document = HTML(string=html, base_url=request.host_url, url_fetcher=local_assets).write_pdf()
    response = Response(document, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


@bp.route("/feedback/<round_id>/report.pdf")
@page("feedback.report")
def report_pdf(round_id: str) -> Any:
    """The 360 report as a PDF (the same template as the page)."""
    rid = parse_id(round_id, "feedback round")
    context = report_context(rid)
    version = int(context["data"].get("as_of_version") or jejak().ledger.load(FeedbackRound, rid).version)
    return pdf("pages/report.html", f"laporan-360-{rid}", [(rid, version)], **context)


@bp.route("/promotions/<case_id>/decisions/<int:number>.pdf")
@page("promotions.get_case")
def decision_pdf(case_id: str, number: int) -> Any:
    """The committee's decision (berita acara): the case, the criteria with their values, the pinned evidence, the
    rule-set version, the members present, the rationale and any justification."""
    loaded = jejak().queries.promotions.case(actor(), parse_id(case_id, "promotion case"))
    c = jejak().queries.promotions.detail(loaded)
    decision = next((d for d in c["decisions"] if d["number"] == number), None)
    if decision is None:
        return error_page(404, f"case {loaded.id} has no decision {number}")
    assessment = next(a for a in c["assessments"] if a["number"] == decision["assessment_number"])
    shown = [(loaded.id, decision["case_version"]),
             *[(UUID(ref["id"]), ref["version"]) for ref in assessment["evidence"] if ref["version"]]]
    return pdf("pages/decision_record.html", f"berita-acara-{loaded.id}-{number}", shown, c=c, d=decision,
               a=assessment)


@bp.route("/grievances/<grievance_id>/case-file.pdf", methods=["GET", "POST"])
@page("grievances.case_file")
def case_file_pdf(grievance_id: str) -> Any:
    """The grievance case file as a PDF; part of the session's recorded read of the case file (the reason form
    first, as the page)."""
    gid = parse_id(grievance_id, "grievance")
    return behind_case_file_read(gid, lambda read_id: case_file_document(gid, read_id))


def case_file_document(gid: UUID, read_id: UUID) -> Any:
    """The PDF of a case file this session has a recorded read of."""
    data = jejak().grievances.case_file(actor(), gid, None, read_id)
    versions: dict[UUID, int] = {}
    for entry in data["trail"]:
        key = UUID(entry["aggregate_id"])
        versions[key] = max(versions.get(key, 0), int(entry["version"]))
    for ref in data.get("evidence") or []:
        versions[UUID(ref["id"])] = max(versions.get(UUID(ref["id"]), 0), int(ref["version"]))
    return pdf("pages/case_file.html", f"berkas-pengaduan-{gid}", versions.items(), f=readable_file(data),
               g=jejak().queries.grievances.grievance(actor(), gid))

"""Pages for 360 feedback: the reviewer's inbox, the review form and its confirmation, rounds and the report."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID, uuid4

from flask import Blueprint, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from application.errors import NotFound
from application.feedback import IDEMPOTENCY_KEY_MAX
from application.queries.filters import RoundFilter
from domain.errors import DomainError
from web.auth import actor, jejak
from web.http import parse_id
from web.pages.access import page
from web.pages.charts import Axis, Bar, bars, radar
from web.pages.hr import closing_filter
from web.pages.i18n import number_filter, word
from web.pages.render import PAGE_SIZE, Errors, cursor_arg, field_errors, next_page, render, required

bp = Blueprint("feedback", __name__)
CATEGORIES = ("self", "supervisor", "peer", "subordinate")
BILINGUAL = re.compile(r"^(.+?) \((.+)\)$")


@bp.route("/reviews")
@page("feedback.review_requests")
def inbox() -> Any:
    """Review requests a page at a time with how many there are: pending ones first with their closing dates, then
    those done or closed."""
    cursor = cursor_arg()
    found = jejak().queries.feedback.review_requests_page(actor(), PAGE_SIZE, cursor)
    pending = [r for r in found["items"] if r["state"] == "pending"]
    finished = [r for r in found["items"] if r["state"] != "pending"]
    return render("pages/reviews.html", pending=pending, finished=finished, today=jejak().feedback.today(),
                  notice=request.args.get("notice"), found=found, next_url=next_page(found), later=cursor is not None)


def review_request(round_id: UUID) -> dict[str, Any]:
    """The caller's request to review in this round, or 404."""
    row = jejak().queries.feedback.review_request(actor(), round_id)
    if row is not None:
        return row
    raise NotFound(_("You have no review request in this round."))


@bp.route("/reviews/<round_id>", methods=["GET", "POST"])
@page("feedback.submit")
def review(round_id: str) -> Any:
    """The review form: the seven BerAKHLAK values with their anchors, optional comments; a resubmission while
    the round is open starts from the earlier answers."""
    rid = parse_id(round_id, "feedback round")
    req = review_request(rid)
    earlier = jejak().queries.feedback.own_response(actor(), rid)
    accepting = req["round_status"] == "open" and req["closes_on"] >= jejak().feedback.today()
    if request.method == "GET" or not accepting:
        ratings = earlier.ratings if earlier else {}
        comments = earlier.comments if earlier else {}
        return form_page(req, ratings, comments, {}, earlier is not None, accepting, 200 if accepting or
                         request.method == "GET" else 409)
    ratings, comments = answers_from(req["questions"])
    key = (request.form.get("submission") or "")[:IDEMPOTENCY_KEY_MAX] or None
    try:
        jejak().feedback.submit(actor(), rid, ratings, comments, key)
    except DomainError as e:
        return form_page(req, ratings, comments, localised(field_errors(e), req["questions"]), earlier is not None,
                         accepting, 422)
    return redirect(url_for("pages.feedback.submitted", round_id=rid))


@bp.route("/reviews/<round_id>/decline", methods=["POST"])
@page("feedback.decline")
def decline(round_id: str) -> Any:
    """The reviewer declines the request, with a reason; it leaves the inbox."""
    rid = parse_id(round_id, "feedback round")
    req = review_request(rid)
    reason = (request.form.get("reason") or "").strip()
    errors = required({"reason": reason}, "reason")
    if not errors:
        try:
            jejak().feedback.decline(actor(), rid, req["id"], reason)
        except DomainError as e:
            errors = field_errors(e)
    if errors:
        earlier = jejak().queries.feedback.own_response(actor(), rid)
        return form_page(req, earlier.ratings if earlier else {}, earlier.comments if earlier else {}, errors,
                         earlier is not None, True, 422)
    return redirect(url_for("pages.feedback.inbox", notice="declined"))


def answers_from(questions: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The form's ratings (numbers where given) and non-blank comments; the round's rules judge them."""
    ratings: dict[str, Any] = {}
    comments: dict[str, Any] = {}
    for q in questions["items"]:
        name = f"ratings.{q['id']}" if q["kind"] == "rating" else f"comments.{q['id']}"
        value = (request.form.get(name) or "").strip()
        if not value:
            continue
        if q["kind"] == "rating":
            ratings[q["id"]] = int(value) if value.isdigit() else value
        else:
            comments[q["id"]] = value
    return ratings, comments


def localised(errors: Errors, questions: dict[str, Any]) -> Errors:
    """Rating problems in the visitor's language (the rule found which; the page words it)."""
    scale = questions["scale"]
    return {name: ([_("Choose one value from %(low)s to %(high)s.", low=scale["min"], high=scale["max"])]
                   if name.startswith("ratings.") else messages) for name, messages in errors.items()}


def form_page(req: dict[str, Any], ratings: dict[str, Any], comments: dict[str, Any], errors: Errors,
              resubmission: bool, accepting: bool, status: int) -> Any:
    """Render the review form."""
    english = str(get_locale()) == "en"
    items = [{**q, "shown_text": q.get("text_en") if english and q.get("text_en") else q.get("text"),
              "shown_guides": q.get("guides_en") if english and q.get("guides_en") else q.get("guides") or []}
             for q in req["questions"]["items"]]
    anchors = {point: in_language(text, english) for point, text in req["questions"]["anchors"].items()}
    return render("pages/review_form.html", status, req=req, items=items, anchors=anchors,
                  scale=req["questions"]["scale"], ratings=ratings, comments=comments, errors=errors,
                  resubmission=resubmission, accepting=accepting, submission=str(uuid4()))


def in_language(anchor: str, english: bool) -> str:
    """The default anchors read "Indonesian (English)": show the visitor's half; other anchors as written."""
    found = BILINGUAL.match(anchor)
    if not found:
        return anchor
    return found.group(2) if english else found.group(1)


@bp.route("/reviews/<round_id>/submitted")
@page("feedback.my_response")
def submitted(round_id: str) -> Any:
    """The confirmation: what was recorded and when."""
    rid = parse_id(round_id, "feedback round")
    req = review_request(rid)
    mine = jejak().queries.feedback.own_response(actor(), rid)
    if mine is None:
        raise NotFound(_("You have not responded in this round."))
    english = str(get_locale()) == "en"
    labels = {q["id"]: q.get("value") or (q.get("text_en") if english else None) or q.get("text") or q["id"]
              for q in req["questions"]["items"]}
    return render("pages/review_done.html", req=req, response=mine, labels=labels,
                  anchors={k: in_language(v, english) for k, v in req["questions"]["anchors"].items()})


@bp.route("/feedback")
@page("feedback.list_rounds")
def my_rounds() -> Any:
    """360 rounds the account may see (employees: their own; supervisors: also their reports'); ``closing=week``:
    the open ones the visitor manages that close this week."""
    flt = closing_filter() or RoundFilter()
    queries = jejak().queries.feedback
    found = queries.rounds_page(actor(), flt, PAGE_SIZE, cursor_arg())
    return render("pages/rounds.html", rounds=found["items"], closing=flt.closes_by, found=found,
                  next_url=next_page(found),
                  readable={r["id"] for r in found["items"] if queries.may_open_report(actor(), r)})


@bp.route("/feedback/<round_id>/report")
@page("feedback.report")
def report(round_id: str) -> Any:
    """The 360 report after closing: radar chart of self vs others per value, a bar per relationship category
    (withheld ones marked, with the reason) and the comments."""
    return render("pages/report.html", **report_context(parse_id(round_id, "feedback round")))


def report_context(rid: UUID) -> dict[str, Any]:
    """What the report page (and its PDF) shows: the 360 report as the access policy lets the visitor read it."""
    data = jejak().queries.feedback.report(actor(), rid)
    reviewee = jejak().queries.people.find(actor(), UUID(data["reviewee_id"]))
    scale = data["scale"]
    axes = [Axis(q["value"] or q["id"], q["by_category"]["self"].get("mean"), q["others"]["mean"])
            for q in data["questions"]]
    chart = radar(axes, scale["min"], scale["max"], _("Self compared with others, per value"), _("Self"),
                  _("Others"), number_filter) if axes else None
    category_bars = [category_bar(rel, data) for rel in CATEGORIES]
    bar_chart = bars(category_bars, scale["max"], _("Mean rating per relationship category"), number_filter)
    return {"data": data, "reviewee": reviewee, "radar": chart, "bars": bar_chart, "categories": CATEGORIES,
            "category_bars": dict(zip(CATEGORIES, category_bars, strict=True))}


def category_bar(rel: str, data: dict[str, Any]) -> Bar:
    """A category's bar: the mean of its per-value means, or why there is none."""
    info = data["categories"][rel]
    label = str(word(rel))
    if info.get("withheld"):
        return Bar(label, None, _("withheld (fewer than %(n)s responses)", n=data["threshold"]))
    means = [q["by_category"][rel]["mean"] for q in data["questions"] if q["by_category"][rel].get("mean") is not None]
    if not means:
        return Bar(label, None, _("no responses"))
    return Bar(label, round(sum(means) / len(means), 2))

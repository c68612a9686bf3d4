"""Locale-aware formatting (Babel) and the words for the codes the API uses, in the visitor's language."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale, lazy_gettext

WORDS: dict[str, Any] = {
    "self": lazy_gettext("Self"),
    "supervisor": lazy_gettext("Supervisor"),
    "peer": lazy_gettext("Peers"),
    "subordinate": lazy_gettext("Subordinates"),
    "others": lazy_gettext("Others"),
    "open": lazy_gettext("open"),
    "closed": lazy_gettext("closed"),
    "pending": lazy_gettext("pending"),
    "done": lazy_gettext("done"),
    "proposed": lazy_gettext("proposed"),
    "approved": lazy_gettext("approved"),
    "rejected": lazy_gettext("rejected"),
    "declined": lazy_gettext("declined"),
    "final": lazy_gettext("final"),
    "assessed": lazy_gettext("assessed"),
    "above": lazy_gettext("above expectations"),
    "as_expected": lazy_gettext("as expected"),
    "below": lazy_gettext("below expectations"),
    "hr_admin": lazy_gettext("HR administrator"),
    "employee": lazy_gettext("Employee"),
    "committee": lazy_gettext("Promotion committee"),
    "auditor": lazy_gettext("Auditor"),
    "investigator": lazy_gettext("Investigator"),
    "over_cap": lazy_gettext("over the cap"),
    "under_minimum": lazy_gettext("under the minimum"),
    "max_percent": lazy_gettext("at most (percent)"),
    "min_percent": lazy_gettext("at least (percent)"),
    "max_count": lazy_gettext("at most (count)"),
    "min_count": lazy_gettext("at least (count)"),
    "upheld": lazy_gettext("upheld"),
    "hr": lazy_gettext("HR"),
    "reviewee": lazy_gettext("the reviewee"),
    "potential": lazy_gettext("potential"),
    "performance": lazy_gettext("performance"),
    # promotion cases and grievances
    "deferred": lazy_gettext("deferred"),
    "reopened": lazy_gettext("reopened"),
    "filed": lazy_gettext("filed"),
    "investigating": lazy_gettext("under investigation"),
    "dismissed": lazy_gettext("dismissed"),
    "promotion_decision": lazy_gettext("promotion decision"),
    "appraisal": lazy_gettext("appraisal"),
    "training": lazy_gettext("training"),
    "feedback_round": lazy_gettext("360 round"),
    "rank": lazy_gettext("rank"),
    "position": lazy_gettext("position"),
    "years_in_rank": lazy_gettext("Years in the current rank"),
    "recent_appraisals": lazy_gettext("Recent annual appraisals"),
    "training_jp": lazy_gettext("Training hours (JP) last year"),
    "no_open_objection": lazy_gettext("No open objection"),
    "rank_since": lazy_gettext("in the rank since"),
    "reference_date": lazy_gettext("measured on"),
    "years": lazy_gettext("full years"),
    "required_years": lazy_gettext("years required"),
    "eligible_from": lazy_gettext("eligible from"),
    "min_predicate": lazy_gettext("lowest predicate that counts"),
    "required": lazy_gettext("required"),
    "appraisals": lazy_gettext("appraisals"),
    "qualifying": lazy_gettext("qualifying"),
    "year": lazy_gettext("year"),
    "verified_jp": lazy_gettext("verified JP"),
    "unverified_jp": lazy_gettext("unverified JP"),
    "minimum_jp": lazy_gettext("minimum JP"),
    "pending_objections": lazy_gettext("pending objections"),
    "period": lazy_gettext("period"),
    "status": lazy_gettext("state"),
    "predicate": lazy_gettext("predicate"),
    "at_least_minimum": lazy_gettext("counts"),
    "missing": lazy_gettext("missing"),
    "not_final": lazy_gettext("not final"),
    "low": lazy_gettext("low"),
    "middle": lazy_gettext("middle"),
    "high": lazy_gettext("high"),
    "qualification_ceiling": lazy_gettext("Qualification ceiling"),
    "not_above_supervisor": lazy_gettext("Not above the direct supervisor's rank"),
    "no_disciplinary_penalty": lazy_gettext("No disciplinary penalty in force on the TMT"),
    "ujian_dinas": lazy_gettext("Civil-service exam (ujian dinas)"),
    "years_in_position": lazy_gettext("Years in the current position"),
    "new_qualification": lazy_gettext("New qualification in the current rank"),
    "outstanding_award": lazy_gettext("Award for outstanding achievement"),
    "recommended": lazy_gettext("recommended"),
    "pertek": lazy_gettext("Pertek (BKN technical approval)"),
    "sk": lazy_gettext("SK (decree) signed"),
    "effective": lazy_gettext("in effect"),
    "reguler": lazy_gettext("regular"),
    "pilihan": lazy_gettext("by position (pilihan)"),
    "penyesuaian_ijazah": lazy_gettext("qualification adjustment"),
    "prestasi_luar_biasa": lazy_gettext("outstanding achievement"),
    "education": lazy_gettext("education"),
    "discipline": lazy_gettext("discipline"),
    "exam": lazy_gettext("civil-service exam"),
    "more_than_percent": lazy_gettext("more than (percent)"),
    # development needs
    "confirmed": lazy_gettext("confirmed"),
    "work_results": lazy_gettext("work results"),
    "behaviour": lazy_gettext("work behaviour"),
    "talent": lazy_gettext("9-box follow-up"),
    "other": lazy_gettext("other"),
    "draft": lazy_gettext("draft"),
    "agreed": lazy_gettext("agreed"),
    "achieved": lazy_gettext("achieved"),
    "partly_achieved": lazy_gettext("partly achieved"),
    "not_achieved": lazy_gettext("not achieved"),
    "mentoring": lazy_gettext("mentoring"),
    "assignment": lazy_gettext("assignment"),
    "coaching": lazy_gettext("coaching"),
    "accepted": lazy_gettext("accepted"),
    "edited": lazy_gettext("accepted as edited"),
    "granted": lazy_gettext("granted"),
}


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")


def word(code: Any) -> Any:
    """The visitor-language word for a code, or the code itself; a date or a moment the read models keep as ISO text
    is shown in the visitor's one date format."""
    if code is None:
        return ""
    if isinstance(code, datetime):
        return datetime_filter(code)
    if isinstance(code, date):
        return date_filter(code)
    if isinstance(code, str) and len(code) >= 10 and code[4] == "-":
        if ISO_DATE.fullmatch(code):
            return date_filter(date.fromisoformat(code))
        if ISO_MOMENT.fullmatch(code):
            return datetime_filter(datetime.fromisoformat(code.replace("Z", "+00:00")))
    return WORDS.get(str(code), code)


DATE_PATTERN = "d MMM y"  # one format per language: "16 Des 2026", "16 Dec 2026" (Babel's medium differs by locale)


def date_filter(value: date | datetime | str | None, fmt: str = DATE_PATTERN) -> str:
    """A date in the visitor's language, the same pattern everywhere (a read model's ISO text too)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, fmt)


DATETIME_PATTERNS = {"id": "d MMM y HH.mm", "en": "d MMM y HH:mm"}  # the date as above, then the time (WIB)


def datetime_filter(value: datetime | None, fmt: str | None = None) -> str:
    """A moment in the visitor's language and Jakarta time, the same pattern everywhere."""
    if value is None:
        return "—"
    locale = get_locale()
    return format_datetime(value, fmt or DATETIME_PATTERNS.get(locale.language if locale else "id", "d MMM y HH:mm"))


def number_filter(value: float | int | None, digits: int = 2) -> str:
    """A number with the locale's decimal sign."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0")


def percent_filter(value: float | None) -> str:
    """A share as a percentage in the locale."""
    return format_percent(value, format="#,##0%") if value is not None else "—"


def register_filters(app: Flask) -> None:
    """Make the formatters available in every template."""
    app.jinja_env.filters.update(date=date_filter, datetime=datetime_filter, number=number_filter,
                                 percent=percent_filter, word=word)

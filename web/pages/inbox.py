"""The home page's inbox: each duty's label in the visitor's language and the list page that shows what it counts
(the API's GET /api/inbox names the same pages)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext

from application.actor import Actor
from application.queries.inbox import InboxItem
from web.auth import jejak

# each duty's label in the visitor's language (the home page) and its list page with the filter that shows it
LABELS: dict[str, Any] = {
    "reviews_to_write": lazy_gettext("Reviews to write"),
    "nominations_to_approve": lazy_gettext("Nominations to approve"),
    "rounds_closing": lazy_gettext("Rounds closing this week"),
    "appraisals_to_assess": lazy_gettext("Appraisals to assess"),
    "objections_to_decide": lazy_gettext("Objections to decide"),
    "dialogue_actions": lazy_gettext("Open dialogue actions"),
    "cases_to_assess": lazy_gettext("Promotion cases to assess"),
    "cases_reopened": lazy_gettext("Reopened promotion cases"),
    "cases_awaiting_decision": lazy_gettext("Cases awaiting decision"),
    "grievances_to_assign": lazy_gettext("Grievances to assign"),
    "grievances_assigned": lazy_gettext("Grievances assigned to you"),
}
PAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "reviews_to_write": ("pages.feedback.inbox", {}),
    "nominations_to_approve": ("pages.hr.nominations", {}),
    "appraisals_to_assess": ("pages.people.my_appraisals", {"todo": "assess"}),
    "objections_to_decide": ("pages.people.my_appraisals", {"todo": "decide"}),
    "dialogue_actions": ("pages.development.my_actions", {}),
    "cases_to_assess": ("pages.promotions.cases", {"status": "proposed"}),
    "cases_reopened": ("pages.promotions.cases", {"status": "reopened"}),
    "cases_awaiting_decision": ("pages.promotions.cases", {"status": "assessed"}),
    "grievances_to_assign": ("pages.grievances.grievances", {"status": "filed"}),
    "grievances_assigned": ("pages.grievances.grievances", {}),
}


def page_link(who: Actor, item: InboxItem) -> str:
    """The page listing what the item counts (rounds closing: HR's round list, else the visitor's rounds)."""
    if item.kind == "rounds_closing":
        endpoint = "pages.hr.rounds" if jejak().policy.hr(who) else "pages.feedback.my_rounds"
        return url_for(endpoint, closing="week")
    endpoint, args = PAGES[item.kind]
    return url_for(endpoint, **args)

"""The caller's inbox over the API: what waits for them, with counts and the page that lists each."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.pages.inbox import page_link

blp = Blueprint("inbox", __name__, url_prefix="/api", description="What waits for the caller")

class InboxItemOut(Out):
    """One duty and how many things wait under it."""

    kind = ma.fields.String(metadata={"description": "reviews_to_write, nominations_to_approve, rounds_closing, "
                                                     "appraisals_to_assess, objections_to_decide, dialogue_actions, "
                                                     "cases_to_assess, "
                                                     "cases_reopened, cases_awaiting_decision, grievances_to_assign "
                                                     "or grievances_assigned"})
    count = ma.fields.Integer()
    until = ma.fields.Date(allow_none=True, metadata={"description": "rounds_closing: the last closing day counted"})
    page = ma.fields.String(metadata={"description": "the page (outside /api) that lists them"})


class InboxOut(Out):
    """Every duty the access policy gives the caller, with its count (zero included)."""

    items = ma.fields.List(ma.fields.Nested(InboxItemOut))
    total = ma.fields.Integer()


@blp.route("/inbox")
@allow()
@blp.response(200, InboxOut)
def inbox() -> dict[str, Any]:
    """What waits for the caller: reviews to write, nominations to approve, appraisals to assess, objections to
    decide, open actions of your performance dialogues, cases to assess or decide, grievances to assign or
    investigate, rounds closing this week."""
    who = actor()
    items = jejak().queries.inbox.items(who)
    return {"items": [{"kind": i.kind, "count": i.count, "until": i.until, "page": page_link(who, i)} for i in items],
            "total": sum(i.count for i in items)}

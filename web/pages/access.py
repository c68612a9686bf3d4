"""Who is signed in to the pages, and the page twin of the API's route check (same roles, same rule)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast
from uuid import UUID

from flask import abort, g, redirect, render_template, request, session, url_for

from application.access_policy import ROUTE_ROLES
from domain.access import ROLES
from web.auth import Principal, as_person, identify, jejak, permits, security_read_models_ready

F = TypeVar("F", bound=Callable[..., Any])
SESSION_KEY = "account_id"
SESSION_ID = "sid"
SESSION_ROLE = "role"  # the role the pages act in, chosen with the role switcher
SESSION_PERSON = "person_id"  # a single sign-on session: the person the provider's subject signed in


def signed_in() -> Principal | None:
    """The principal of the signed-in account, or None."""
    return cast(Principal | None, g.get("principal"))


def load_session() -> None:
    """Turn the session's account (or single sign-on person) into the request's principal; a revoked or unknown
    account, or a deactivated person, ends the session."""
    if session.get(SESSION_PERSON):
        load_person_session(str(session[SESSION_PERSON]))
        return
    raw = session.get(SESSION_KEY)
    if not raw:
        return
    if not security_read_models_ready():
        abort(503)
    try:
        row = jejak().account_view.get(UUID(str(raw)))
    except ValueError:
        row = None
    if row is None or row["revoked"] or not jejak().page_sessions.is_live(str(session.get(SESSION_ID, "")), row["id"]):
        session.clear()
        return
    who = identify(row, str(session.get(SESSION_ROLE) or row["role"]))
    if who is None:  # the person was deactivated, or lost the role this session acted in
        session.clear()
        return
    g.principal = who


def load_person_session(raw: str) -> None:
    """A single sign-on session: the person, acting in the chosen role (their first role until they choose)."""
    if not security_read_models_ready():
        abort(503)
    try:
        person_id = UUID(raw)
    except ValueError:
        session.clear()
        return
    person = jejak().person_view.person(person_id)
    if person is None or not jejak().page_sessions.is_live(str(session.get(SESSION_ID, "")), person_id):
        session.clear()
        return
    who = as_person(person_id, person, jejak().person_view.aliases(person_id),
                    str(session.get(SESSION_ROLE) or person["roles"][0]))
    if who is None:
        session.clear()
        return
    g.principal = who


def start_session(account_id: UUID, key: str = SESSION_KEY) -> None:
    """A fresh session for the account (or, with ``key`` SESSION_PERSON, the person signed in by single sign-on);
    the old session, and any token planted in it, is dropped."""
    lang = session.get("lang")
    session.clear()
    session.permanent = True
    session[key] = str(account_id)
    session[SESSION_ID] = jejak().page_sessions.start(account_id)
    if lang:
        session["lang"] = lang


def end_session() -> None:
    """Sign out: the session is over on the server too, so a copy of its cookie no longer signs anyone in."""
    if session.get(SESSION_ID):
        jejak().page_sessions.end(str(session[SESSION_ID]))
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def page(*mirrors: str, roles: Iterable[str] = ()) -> Callable[[F], F]:
    """A page for a signed-in account whose role the API route(s) it shows admit, named by endpoint as in
    application/access_policy.py's ROUTE_ROLES (``roles``: a page with no API twin, such as the home page).
    Anonymous visitors are sent to sign in; other roles get 403."""
    admitted = frozenset(roles).union(*(ROUTE_ROLES[m] for m in mirrors))
    unknown = admitted - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            who = signed_in()
            if who is None:
                return redirect(url_for("pages.signin.sign_in", next=request.full_path.rstrip("?")))
            if not permits(who.role, admitted):
                return forbidden()
            return view(*args, **kwargs)

        wrapper._jejak_roles = admitted  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorate


def forbidden(detail: str | None = None) -> tuple[str, int]:
    """The page that says this account may not see what it asked for."""
    return render_template("pages/error.html", status=403, detail=detail), 403

"""Bearer-token authentication and per-route role checks."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast
from uuid import UUID, uuid4

from flask import Flask, Response, current_app, g, request

from application.access import hash_token
from application.access_policy import admits, roles_for
from application.actor import Actor
from application.ledger import known_head
from domain.access import EMPLOYEE_ROLES, ROLES, Role
from infrastructure.container import Jejak
from infrastructure.log_cache import LogCache
from web.problems import problem
from web.ratelimit import AccountBackoff, FailureLimiter

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
PUBLIC_ENDPOINTS = {"api-docs.openapi_json", "api-docs.openapi_swagger_ui", "health.health", "health.ready",
                    "swagger_static"}
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
# The read models that decide who is signed in and in which role: tokens, page accounts, and the reporting lines
# that make an employee a supervisor.
SECURITY_READ_MODELS = ("access", "accounts", "directory", "persons")


@dataclass(frozen=True)
class Principal:
    """The authenticated holder of a token (or page session) and the one role this request acts in."""

    grant_id: UUID
    role: str
    name: str
    employee_id: UUID | None
    person_id: UUID | None = None
    aliases: frozenset[str] = frozenset()
    roles: tuple[str, ...] = ()  # every role the person may switch to on the pages

    def actor(self) -> Actor:
        """The actor stamped on events this principal causes."""
        return Actor(id=str(self.grant_id), role=self.role, name=self.name, employee_id=self.employee_id,
                     correlation_id=g.correlation_id, person_id=self.person_id, aliases=self.aliases)


@dataclass(frozen=True)
class _Known:
    """What authentication read for a token hash, at a head of the log."""

    principal: Principal  # with the person behind the token
    expires_at: datetime | None


def jejak() -> Jejak:
    """The running system of the current app."""
    return cast(Jejak, current_app.extensions["jejak"])


def principal() -> Principal:
    """The authenticated principal of this request."""
    return cast(Principal, g.principal)


def actor() -> Actor:
    """The actor for commands in this request."""
    return principal().actor()


def allow(*roles: str) -> Callable[[F], F]:
    """Let only these roles call the route ("employee" includes supervisors); everyone else gets 403. The roles
    are those application/access_policy.py's ROUTE_ROLES declares for the route (given ones must agree)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view: F) -> F:
        admitted = roles_for(f"{view.__module__.removeprefix('web.')}.{view.__name__}", roles)

        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            who = principal()
            if not permits(who.role, admitted):
                return problem(403, f"role {who.role} may not {request.method} {request.path}")
            return view(*args, **kwargs)

        wrapper._jejak_roles = admitted  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorate


def permits(role: str, roles: frozenset[str]) -> bool:
    """The one rule of route access, for the API and the pages alike: "employee" includes supervisors."""
    return admits(role, roles)


def public(view: F) -> F:
    """Mark a route as reachable without a token."""
    view._jejak_roles = frozenset({"public"})  # type: ignore[attr-defined]
    return view


def init_auth(app: Flask) -> None:
    """Install request-id and authentication hooks."""

    @app.before_request
    def correlate() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.correlation_id = given if REQUEST_ID.match(given) else str(uuid4())
        known_head(None)  # a server thread serves many requests: until this one reads the head

    # test clients send every request from one address, so suites opt out unless they test the limit itself;
    # the bound per address is high (a whole office may sit behind one NAT address), the one per account is low
    default_limit = 1_000_000 if app.testing else 100
    system: Jejak = app.extensions["jejak"]
    limiter = FailureLimiter(int(app.config.get("JEJAK_AUTH_FAILURES_PER_MINUTE", default_limit)), 60.0,
                             system.auth_failures)
    app.extensions["jejak_auth_limiter"] = limiter
    # every read model authentication consults (the grants, the reporting lines, their tracking and parked events)
    # changes only when an event of their topics is stored, and a revocation is one
    cache: LogCache[str, _Known] = LogCache(
        system.projections.head, lambda a, b: system.projections.touched(SECURITY_READ_MODELS, a, b),
        probe=lambda a: system.projections.head_and_touched(SECURITY_READ_MODELS, a, teach_cache=True))
    app.extensions["jejak_account_backoff"] = AccountBackoff(
        int(app.config.get("JEJAK_AUTH_ACCOUNT_FREE_FAILURES", 5)),
        float(app.config.get("JEJAK_AUTH_BACKOFF_SECONDS", 30.0)), log=system.auth_failures)

    @app.before_request
    def authenticate() -> Response | None:
        if not request.path.startswith("/api/") or request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        address = request.remote_addr or "unknown"
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        token_hash = hash_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        # the head is read before the read models, so a later event only makes it miss
        head, known = cache.lookup(token_hash) if token_hash else (0, None)
        if known is None:
            if not security_read_models_ready(head or None):
                return unavailable()
            # a valid token is served whatever others at its address did; only failures meet the address's bound
            if token_hash is None:
                return _refuse(limiter, address, "send Authorization: Bearer <token>")
            grant = system.grants.by_token_hash(token_hash)
            if grant is None or grant["revoked"]:
                return _refuse(limiter, address, "the token is unknown or revoked")
            who = identify(grant, grant["role"])
            if who is None:
                return _refuse(limiter, address, "the token's person is deactivated or no longer holds its role")
            known = _Known(who, grant["expires_at"])
            cache.put(token_hash, head, known)
        if known.expires_at is not None and known.expires_at <= datetime.now(UTC):
            return _refuse(limiter, address, "the token has expired")
        g.principal = known.principal
        known_head(head or None, system.ledger)  # read before anything this request loads, from this ledger's log
        return None

    @app.teardown_request
    def forget_head(_error: BaseException | None) -> None:
        known_head(None)  # the head this request read is no one else's (a test client's caller, a later request)

    @app.after_request
    def stamp_response(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("correlation_id", "")  # the security headers: web.headers
        if request.path.startswith("/api/") and not request.path.startswith("/api/docs"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def security_read_models_ready(head: int | None = None) -> bool:
    """Serve authentication only from read models that have taken every event (up to ``head``, read before them,
    when given) and parked none (a revocation they missed would leave a token working): catch them up here if
    they lag, else refuse."""
    runner = jejak().projections
    stalled = runner.stalled(SECURITY_READ_MODELS, head)
    if not stalled:
        return True
    for name in stalled:
        try:
            runner.catch_up(name)
        except Exception:  # noqa: BLE001 - reported below as not ready
            log.exception("catching up %s before authentication failed", name)
    stalled = runner.stalled(stalled)
    if stalled:
        log.error("authentication refused: read models %s have parked events or lag", ", ".join(stalled))
    return not stalled


def identify(principal: dict[str, Any], role: str) -> Principal | None:
    """The principal acting in ``role``, with the person behind it; None when the person is deactivated or does not
    hold the role (a token's scope, or the role chosen on the pages). A principal no person holds yet acts alone."""
    person, aliases = jejak().person_view.identity(principal["id"])
    if person is None:
        if role != principal["role"]:
            return None
        return Principal(principal["id"], effective_role(principal), principal["name"], principal["employee_id"])
    return as_person(principal["id"], person, aliases, role, principal["employee_id"])


def as_person(principal_id: UUID, person: dict[str, Any], aliases: frozenset[str], role: str,
              employee_id: UUID | None = None) -> Principal | None:
    """The person acting in ``role`` through a token, an account or (principal_id = their person id) single
    sign-on; None when the person is deactivated or does not hold the role."""
    roles = tuple(person["roles"])
    if person["status"] != "active" or not admits_role(roles, role):
        return None
    acting_as: UUID | None = person["employee_id"] or employee_id
    acting = {"role": role, "employee_id": acting_as}
    return Principal(principal_id, effective_role(acting), person["name"], acting_as, person["id"], aliases, roles)


def admits_role(roles: tuple[str, ...], role: str) -> bool:
    """A person holding an employee role may act as employee or supervisor (which one the registry decides)."""
    return role in roles or (role in EMPLOYEE_ROLES and any(r in EMPLOYEE_ROLES for r in roles))


def unavailable() -> Response:
    """503 while authentication cannot be decided from up-to-date read models."""
    return problem(503, "sign-in is unavailable: the access read models have parked events or lag behind the "
                        "ledger; an operator must run `jejak projections status`", headers={"Retry-After": "30"})


def effective_role(grant: dict[str, Any]) -> str:
    """Employee tokens (and accounts) act as supervisor exactly when someone reports to them in the registry."""
    if grant["role"] in EMPLOYEE_ROLES:
        return Role.SUPERVISOR if jejak().directory.has_reports(grant["employee_id"]) else Role.EMPLOYEE
    return str(grant["role"])


def _refuse(limiter: FailureLimiter, address: str, detail: str) -> Response:
    """Count the failure (429 once the address is over its bound) and log it without the token."""
    wait = limiter.retry_after(address)
    if wait:
        return too_many(wait)
    log.warning("authentication failed from %s on %s %s: %s", address, request.method, request.path, detail)
    locked = limiter.fail(address)
    if locked:
        record_lockout("address", address, limiter.limit, locked)
    return _unauthenticated(detail)


def too_many(wait: int) -> Response:
    """429 with the seconds to wait."""
    return problem(429, f"too many failed authentication attempts; retry in {wait} s",
                   headers={"Retry-After": str(wait)})


def record_lockout(scope: str, subject: str, failures: int, seconds: int) -> None:
    """Record a lockout as an event; the lockout holds even when the ledger cannot take the record."""
    until = datetime.now(UTC) + timedelta(seconds=seconds)
    log.warning("sign-in lockout of %s %s for %d s after %d failures", scope, subject, seconds, failures)
    try:
        jejak().lockouts.record(scope, subject, failures, until)
    except Exception:  # noqa: BLE001 - throttling must not fail because its record could not be written
        log.exception("could not record the lockout of %s %s", scope, subject)


def _unauthenticated(detail: str) -> Response:
    return problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="jejak"'})

"""Sign-in accounts for the pages (username and password), granted and revoked by HR as events."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from domain.access import ROLES
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import parse_id
from web.schemas import LongText, Strict, Text

blp = Blueprint("accounts", __name__, url_prefix="/api", description="Sign-in accounts for the web pages")


class AccountIn(Strict):
    """A new account; the password is stored only as an argon2id hash."""

    username = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=64))
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(min=1, max=200))
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    name = ma.fields.String(required=True, validate=Text)
    employee_id = ma.fields.UUID(load_default=None, allow_none=True)


class AccountOut(Out):
    """An account (never its password)."""

    id = ma.fields.UUID()
    username = ma.fields.String()
    role = ma.fields.String()
    name = ma.fields.String()
    employee_id = ma.fields.UUID(allow_none=True)
    revoked = ma.fields.Boolean()
    granted_at = ma.fields.AwareDateTime()
    granted_by = ma.fields.String()
    revoked_at = ma.fields.AwareDateTime(allow_none=True)
    revoked_by = ma.fields.String(allow_none=True)
    version = ma.fields.Integer()


class AccountRevokeIn(Strict):
    """Why the account is revoked."""

    reason = ma.fields.String(required=True, validate=LongText)


def account_row(account_id: UUID) -> dict[str, Any]:
    """The projected account, or 404."""
    return jejak().queries.access.account(actor(), account_id)


@blp.route("/accounts")
@allow()
@blp.response(200, AccountOut(many=True))
def list_accounts() -> list[dict[str, Any]]:
    """Every account, newest first, with who granted and revoked it."""
    return jejak().queries.access.accounts(actor())


@blp.route("/accounts", methods=["POST"])
@allow()
@blp.arguments(AccountIn())
@blp.response(201, AccountOut)
def create_account(data: dict[str, Any]) -> dict[str, Any]:
    """Create an account with a role (a taken username is a 409; the password is 10 to 200 characters)."""
    account = jejak().accounts.create(actor(), data["username"], data["password"], data["role"], data["name"],
                                      data["employee_id"])
    return account_row(account.id)


@blp.route("/accounts/<account_id>/revocation", methods=["POST"])
@allow()
@blp.arguments(AccountRevokeIn())
@blp.response(200, AccountOut)
def revoke_account(data: dict[str, Any], account_id: str) -> dict[str, Any]:
    """Revoke an account: it cannot sign in any more and its open sessions end."""
    aid = parse_id(account_id, "account")
    jejak().accounts.revoke(actor(), aid, data["reason"])
    return account_row(aid)

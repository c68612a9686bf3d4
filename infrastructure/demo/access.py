"""The demo's access: one API token per role (kept in var/demo-tokens.json; the ledger holds only hashes) and one
page account per role with the demo password."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from application.access import hash_token
from application.actor import Actor
from application.errors import NotFound
from domain.access import ROLES, Role
from infrastructure.container import Jejak
from infrastructure.demo.shapes import ROLE_NAMES, TOKENS_FILE, DemoPlan

# ---------------------------------------------------------------- tokens


def tokens_path(jejak: Jejak) -> Path:
    """Where the demo's tokens are kept: the ledger holds only their hashes."""
    return jejak.settings.var_dir / TOKENS_FILE


def ensure_tokens(
    jejak: Jejak, actor: Actor, plan: DemoPlan, ids: Mapping[str, UUID], tick: Callable[[int], None]
) -> dict[str, dict[str, str]]:
    """Reuse each stored token whose grant still stands; issue the others and save them all; return each role's
    token and grant id."""
    path = tokens_path(jejak)
    stored = _read_tokens(path)
    kept: dict[str, dict[str, str]] = {}
    for role in ROLES:
        holder = plan.token_holders.get(role)
        employee_id = ids[holder] if holder else None
        entry = _reusable(jejak, role, stored.get(role), employee_id)
        if entry is None:
            name = ROLE_NAMES.get(role) or _holder_name(plan, holder) or f"Demo {role}"
            issued = jejak.access.issue(actor, role, name, employee_id)
            entry = {"token": issued.token, "grant_id": str(issued.grant_id)}
        kept[role] = entry
        tick(1)
    if kept != stored:
        _write_tokens(path, kept)
    return kept


# ---------------------------------------------------------------- page accounts

DEMO_PASSWORD = "jejak-demo-2026"  # printed by `jejak demo`: a demo installation only
DEMO_USERNAMES: dict[str, str] = {Role.HR: "admin", Role.SUPERVISOR: "atasan", Role.EMPLOYEE: "pegawai", Role.COMMITTEE: "tim",
                  Role.AUDITOR: "auditor", Role.INVESTIGATOR: "investigator"}


def ensure_accounts(
    jejak: Jejak, actor: Actor, plan: DemoPlan, ids: Mapping[str, UUID], tick: Callable[[int], None]
) -> dict[str, str]:
    """One page account per role with the demo password, acting as the same people as the tokens (kept when it
    exists); return each role's username."""
    for role in ROLES:
        username = DEMO_USERNAMES[role]
        if jejak.accounts.find(username) is None:
            holder = plan.token_holders.get(role)
            name = ROLE_NAMES.get(role) or _holder_name(plan, holder) or f"Demo {role}"
            jejak.accounts.create(actor, username, DEMO_PASSWORD, role, name, ids[holder] if holder else None)
        tick(1)
    return dict(DEMO_USERNAMES)


def _holder_name(plan: DemoPlan, nip: str | None) -> str:
    return next((e.name for e in plan.employees if e.nip == nip), "")


def _reusable(jejak: Jejak, role: str, entry: Any, employee_id: UUID | None) -> dict[str, str] | None:
    """The stored entry when its grant exists, matches the token, role and employee, and is usable."""
    if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("token", "grant_id")):
        return None
    try:
        grant = jejak.access.grant(UUID(entry["grant_id"]))
    except (NotFound, ValueError):
        return None
    expired = grant.expires_at is not None and grant.expires_at <= datetime.now(UTC)
    usable = not grant.revoked and not expired and grant.role == role and grant.employee_id == employee_id
    if not usable or grant.token_hash != hash_token(entry["token"]):
        return None
    return {"token": entry["token"], "grant_id": entry["grant_id"]}


def _read_tokens(path: Path) -> dict[str, Any]:
    """The stored tokens, or nothing when the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_tokens(path: Path, tokens: Mapping[str, Mapping[str, str]]) -> None:
    """Write the tokens readable by the owner only, replacing the file atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(tokens, f, indent=2, sort_keys=True)
    os.chmod(tmp, 0o600)  # a left-over temporary file may have had a wider mode
    os.replace(tmp, path)

"""Page accounts: granted and revoked as events, passwords only as argon2id hashes, one username per account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from application.actor import Actor
from application.errors import Conflict, Forbidden
from domain.account import Account
from domain.errors import DomainError
from infrastructure.container import Jejak
from tests.conftest import _make
from tests.web.pages import FAST_HASH

PASSWORD = "kata-sandi-yang-panjang"


@pytest.fixture
def system(backend: str, tmp_path: Path) -> Iterator[Jejak]:
    yield from _make(backend, tmp_path, **FAST_HASH)


def test_account_is_granted_as_an_event_and_keeps_only_a_password_hash(system: Jejak, hr: Actor) -> None:
    account = system.accounts.create(hr, "Inspektur", PASSWORD, "auditor", "Inspektorat Daerah")

    events = system.ledger.history(account.id)
    assert [type(e).__name__ for e in events] == ["Granted"]
    assert events[0].username == "inspektur"
    assert events[0].password_hash.startswith("$argon2id$")
    assert PASSWORD not in repr(vars(events[0]))
    row = system.account_view.get(account.id)
    assert row is not None and row["username"] == "inspektur" and "password_hash" not in row


def test_authenticate_matches_the_password_and_refuses_anything_else(system: Jejak, hr: Actor) -> None:
    system.accounts.create(hr, "inspektur", PASSWORD, "auditor", "Inspektorat Daerah")

    assert system.accounts.authenticate("INSPEKTUR", PASSWORD) is not None
    assert system.accounts.authenticate("inspektur", PASSWORD + "x") is None
    assert system.accounts.authenticate("orang.lain", PASSWORD) is None
    assert system.accounts.authenticate("", "") is None


def test_a_revoked_account_no_longer_authenticates(system: Jejak, hr: Actor) -> None:
    account = system.accounts.create(hr, "inspektur", PASSWORD, "auditor", "Inspektorat Daerah")

    system.accounts.revoke(hr, account.id, "tugas selesai")

    assert system.accounts.authenticate("inspektur", PASSWORD) is None
    assert system.account_view.get(account.id)["revoked"] is True
    assert [type(e).__name__ for e in system.ledger.history(account.id)] == ["Granted", "Revoked"]


def test_a_username_is_held_by_one_account(system: Jejak, hr: Actor) -> None:
    system.accounts.create(hr, "inspektur", PASSWORD, "auditor", "Inspektorat Daerah")

    with pytest.raises(Conflict):
        system.accounts.create(hr, "Inspektur", PASSWORD, "committee", "Orang Lain")


def test_only_hr_creates_accounts(system: Jejak) -> None:
    clerk = Actor(id="x", role="auditor", name="Auditor")

    with pytest.raises(Forbidden):
        system.accounts.create(clerk, "baru", PASSWORD, "auditor", "Baru")


def test_short_password_is_refused(system: Jejak, hr: Actor) -> None:
    with pytest.raises(DomainError) as refused:
        system.accounts.create(hr, "baru", "pendek", "auditor", "Baru")

    assert refused.value.field == "password"


def test_account_id_follows_from_the_username() -> None:
    assert Account.id_for("Dewi.Lestari ") == Account.id_for("dewi.lestari")

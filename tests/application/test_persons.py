"""Persons: one identity behind tokens and accounts; the migration links older principals by new events only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from application.access import hash_token, new_token
from application.actor import Actor
from application.errors import Conflict, Forbidden
from application.queries.filters import AuditFilter
from domain.access import AccessGrant
from domain.account import Account
from domain.errors import DomainError
from domain.person import Person
from infrastructure.container import Jejak
from tests.conftest import _make
from tests.legacy import store_in_old_shape
from tests.web.conftest import jejak_cli
from tests.web.pages import FAST_HASH

PASSWORD = "kata-sandi-yang-panjang"


@pytest.fixture
def system(backend: str, tmp_path: Path) -> Iterator[Jejak]:
    yield from _make(backend, tmp_path, **FAST_HASH)


def employee(system: Jejak, hr: Actor, nip: str = "199203142019032001", name: str = "Rina Marlina") -> UUID:
    system.registry.register_unit(hr, "DISHUB", "Dinas Perhubungan")
    return system.registry.register_employee(hr, nip=nip, name=name, unit="DISHUB", position="Analis",
                                             rank="III/a", rank_since=date(2019, 3, 1)).id


def old_token(system: Jejak, role: str, name: str, employee_id: UUID | None = None) -> UUID:
    """A token as the release before persons issued it (version-1 Granted, no person)."""
    grant = AccessGrant.grant(role, name, employee_id, hash_token(new_token()))
    store_in_old_shape(system, grant.collect_events(), drop=["person_id"])
    return grant.id


def old_account(system: Jejak, username: str, role: str, name: str, employee_id: UUID | None = None) -> UUID:
    """An account as the release before persons created it."""
    account = Account.grant(username, role, name, employee_id, system.accounts.hasher.hash(PASSWORD))
    store_in_old_shape(system, account.collect_events(), drop=["person_id"])
    return account.id


def stored_rows(system: Jejak) -> list[tuple[int, str, bytes]]:
    """Every stored event as the recorder holds it (to prove the migration changed none)."""
    found = system.ledger.recorder.select_notifications(start=1, limit=100_000)
    return [(n.id, n.topic, bytes(n.state)) for n in found]


def test_migration_links_every_token_and_account_to_one_person_by_new_events(system: Jejak, hr: Actor) -> None:
    rina = employee(system, hr)
    hr_token = old_token(system, "hr_admin", "Admin BKPSDM")
    hr_account = old_account(system, "admin", "hr_admin", "admin  bkpsdm")
    rina_token = old_token(system, "employee", "Rina (token)", rina)
    rina_account = old_account(system, "rina", "employee", "Rina Marlina", rina)
    auditor = old_token(system, "auditor", "Inspektorat")
    system.projections.catch_up()
    before = stored_rows(system)

    report = system.persons.migrate(hr)
    system.projections.catch_up()

    assert stored_rows(system)[:len(before)] == before  # no stored event changed
    assert len(report.linked) == 5 and len(report.persons_registered) == 3
    admin = system.persons.person(Person.id_for_name("Admin BKPSDM"))
    assert admin.roles == ["hr_admin"] and set(admin.principals) == {str(hr_token), str(hr_account)}
    rina_person = system.persons.person(Person.id_for_employee(rina))
    assert rina_person.employee_id == rina
    assert set(rina_person.principals) == {str(rina_token), str(rina_account)}
    assert system.person_view.principal(auditor)["person_id"] == Person.id_for_name("Inspektorat")
    assert system.person_view.unlinked() == []
    assert [type(e).__name__ for e in system.ledger.history(hr_token)] == ["Granted"]
    assert system.ledger.load(AccessGrant, hr_token).person_id is None  # the grant's own events name nobody


def test_a_new_token_or_account_belongs_to_a_person_from_the_start(system: Jejak, hr: Actor) -> None:
    rina = employee(system, hr)
    token = system.access.issue(hr, "employee", "Rina (token)", rina)
    account = system.accounts.create(hr, "rina", PASSWORD, "supervisor", "Rina Marlina", rina)
    system.projections.catch_up()

    person = system.persons.person(Person.id_for_employee(rina))
    assert set(person.principals) == {str(token.grant_id), str(account.id)}
    assert system.ledger.load(AccessGrant, token.grant_id).person_id == person.id
    assert system.person_view.unlinked() == []


def test_a_second_migration_records_nothing(system: Jejak, hr: Actor) -> None:
    old_token(system, "committee", "Tim Penilai Kinerja")
    old_account(system, "tim", "committee", "Tim Penilai Kinerja")
    system.projections.catch_up()
    system.persons.migrate(hr)
    system.projections.catch_up()
    head = system.ledger.recorder.max_notification_id()

    again = system.persons.migrate(hr)

    assert again.linked == [] and again.persons_registered == []
    assert system.ledger.recorder.max_notification_id() == head


def test_a_person_gathers_the_roles_of_their_principals(system: Jejak, hr: Actor) -> None:
    old_token(system, "auditor", "Budi Santoso")
    old_account(system, "budi", "investigator", "Budi Santoso")
    system.projections.catch_up()

    report = system.persons.migrate(hr)

    assert report.roles_added == 1
    assert system.persons.person(Person.id_for_name("budi santoso")).roles == ["auditor", "investigator"]


def test_old_events_keep_naming_their_principal_and_the_audit_view_shows_the_person(system: Jejak,
                                                                                     hr: Actor) -> None:
    grant = old_token(system, "hr_admin", "Admin BKPSDM")
    as_token = Actor(id=str(grant), role="hr_admin", name="Admin BKPSDM")
    system.registry.register_unit(as_token, "DISDIK", "Dinas Pendidikan")
    system.projections.catch_up()
    system.persons.migrate(hr)
    system.projections.catch_up()

    page = system.queries.audit.events(AuditFilter(actor_id=str(grant)), 10, 0)

    (event,) = page["items"]
    assert event["actor"]["id"] == str(grant)  # as recorded
    assert event["actor"]["person"] == {"id": str(Person.id_for_name("Admin BKPSDM")), "name": "Admin BKPSDM"}


def test_a_personal_token_belongs_to_its_person_and_acts_only_in_a_role_they_hold(system: Jejak, hr: Actor) -> None:
    rina = employee(system, hr)
    person = system.persons.register(hr, "Rina Marlina", ["employee", "hr_admin"], rina)
    issued = system.persons.issue_token(hr, person.id, "laptop", "hr_admin")
    system.projections.catch_up()

    assert system.person_view.principal(issued.grant_id)["person_id"] == person.id
    assert system.ledger.load(AccessGrant, issued.grant_id).person_id == person.id
    with pytest.raises(DomainError):
        system.persons.issue_token(hr, person.id, "skripsi", "auditor")
    with pytest.raises(Conflict):
        system.persons.register(hr, "Rina lagi", ["employee"], rina)


def test_the_owner_and_hr_revoke_a_personal_token_and_nobody_else(system: Jejak, hr: Actor) -> None:
    owner = system.persons.register(hr, "Budi Santoso", ["auditor"])
    other = system.persons.register(hr, "Orang Lain", ["auditor"])
    issued = system.persons.issue_token(hr, owner.id, "laptop", "auditor")
    system.projections.catch_up()
    as_owner = Actor(id="t", role="auditor", name="Budi Santoso", person_id=owner.id)
    as_other = Actor(id="u", role="auditor", name="Orang Lain", person_id=other.id)

    with pytest.raises(Forbidden):
        system.persons.revoke_token(as_other, owner.id, issued.grant_id, "bukan miliknya")
    system.persons.revoke_token(as_owner, owner.id, issued.grant_id, "laptop hilang")
    system.projections.catch_up()

    assert system.person_view.principal(issued.grant_id)["revoked"] is True


def test_jejak_persons_migrate_reports_and_is_idempotent(sqlite_jejak: Jejak, hr: Actor) -> None:
    grant = old_token(sqlite_jejak, "auditor", "Inspektorat")
    env = {"JEJAK_VAR_DIR": str(sqlite_jejak.settings.var_dir)}

    first = jejak_cli("persons", "migrate", env=env)
    second = jejak_cli("persons", "migrate", env=env)

    assert first.returncode == 0, first.stderr
    assert f"linked token {grant}" in first.stdout and "1 persons registered" in first.stderr
    assert second.returncode == 0 and second.stdout == "" and "0 tokens and accounts linked" in second.stderr
    listed = jejak_cli("persons", "list", env=env)
    assert "Inspektorat" in listed.stdout and "auditor" in listed.stdout


def test_jejak_persons_issues_lists_and_revokes_a_personal_token(sqlite_jejak: Jejak, hr: Actor) -> None:
    person = sqlite_jejak.persons.register(hr, "Budi Santoso", ["auditor", "investigator"])
    env = {"JEJAK_VAR_DIR": str(sqlite_jejak.settings.var_dir)}

    issued = jejak_cli("persons", "token", str(person.id), "--name", "laptop", "--role", "investigator",
                       "--expires", "30d", env=env)
    refused = jejak_cli("persons", "token", str(person.id), "--name", "x", "--role", "hr_admin", env=env)

    assert issued.returncode == 0, issued.stderr
    assert refused.returncode == 1 and "does not hold the role hr_admin" in refused.stderr
    sqlite_jejak.projections.catch_up()
    (token,) = sqlite_jejak.person_view.principals_of(person.id, "token")
    listed = jejak_cli("persons", "tokens", str(person.id), env=env)
    assert str(token["principal_id"]) in listed.stdout and "investigator" in listed.stdout and "active" in listed.stdout
    revoked = jejak_cli("persons", "revoke-token", str(person.id), str(token["principal_id"]), env=env)
    assert revoked.returncode == 0
    assert "revoked" in jejak_cli("persons", "tokens", str(person.id), env=env).stdout

"""`jejak persons`: the one identity per person; `migrate` links older tokens and accounts to persons."""

from __future__ import annotations

import sys
from uuid import UUID

import click
from tqdm import tqdm

from application.actor import system_actor
from application.errors import ApplicationError
from domain.access import ROLES
from domain.errors import DomainError
from web.cli import _parse_expiry, cli, fail, system


@cli.group("persons")
def persons() -> None:
    """Persons: one identity behind tokens, accounts and single sign-on (each change is an event)."""


@persons.command("migrate")
def persons_migrate() -> None:
    """Link every token and account no person holds to one (by employee, else by name); safe to run again."""
    jejak = system()
    jejak.projections.catch_up()  # the list of unlinked principals comes from the persons read model
    todo = len(jejak.person_view.unlinked())
    with tqdm(total=todo, desc="persons", unit="principal", file=sys.stderr) as bar:
        report = jejak.persons.migrate(system_actor("jejak-persons-migrate"), progress=bar.update)
    jejak.projections.catch_up()
    for kind, principal_id, person_id in report.linked:
        click.echo(f"linked {kind} {principal_id} -> person {person_id}")
    click.echo(f"{len(report.persons_registered)} persons registered, {len(report.linked)} tokens and accounts "
               f"linked, {report.roles_added} roles added", err=True)


@persons.command("list")
def persons_list() -> None:
    """Every person with their roles, status and the number of tokens and accounts."""
    jejak = system()
    for p in jejak.person_view.all():
        held = jejak.person_view.principals_of(p["id"])
        click.echo(f"{p['id']}  {p['status']:<11} {','.join(p['roles']):<24} {len(held):>3} principal(s)  "
                   f"{p['name']}")


@persons.command("register")
@click.option("--name", required=True)
@click.option("--role", "roles", required=True, multiple=True, type=click.Choice(ROLES))
@click.option("--employee", "nip", default=None, help="NIP of the employee the person is.")
def persons_register(name: str, roles: tuple[str, ...], nip: str | None) -> None:
    """Register a person with one or more roles; prints the person's id."""
    jejak = system()
    try:
        employee_id = jejak.registry.employee_id_for_nip(nip) if nip else None
        person = jejak.persons.register(system_actor("jejak-persons"), name, list(roles), employee_id)
    except (DomainError, ApplicationError) as e:
        fail(getattr(e, "message", str(e)))
        return
    click.echo(str(person.id))


@persons.command("token")
@click.argument("person_id", type=click.UUID)
@click.option("--name", required=True, help="What the token is for.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The one role the token acts in (its scope).")
@click.option("--expires", default=None, help="Lifetime (30d, 12h) or ISO timestamp; default 90 days, at most a year.")
def persons_token(person_id: UUID, name: str, role: str, expires: str | None) -> None:
    """Issue a personal access token to a person and print it alone on stdout."""
    try:
        issued = system().persons.issue_token(system_actor("jejak-persons"), person_id, name, role,
                                              _parse_expiry(expires))
    except (DomainError, ApplicationError) as e:
        fail(getattr(e, "message", str(e)))
        return
    click.echo(issued.token)


@persons.command("link-subject")
@click.argument("person_id", type=click.UUID)
@click.argument("subject")
def persons_link_subject(person_id: UUID, subject: str) -> None:
    """Link the configured single sign-on provider's subject (its `sub` claim) to a person, once."""
    jejak = system()
    try:
        jejak.persons.link_subject(system_actor("jejak-persons"), person_id, jejak.sso_issuer(), subject)
    except (DomainError, ApplicationError) as e:
        fail(getattr(e, "message", str(e)))
        return
    click.echo(f"linked {subject} -> person {person_id}")


@persons.command("tokens")
@click.argument("person_id", type=click.UUID)
def persons_tokens(person_id: UUID) -> None:
    """A person's tokens (never the tokens themselves)."""
    for t in system().person_view.principals_of(person_id, "token"):
        state = "revoked" if t["revoked"] else "active"
        click.echo(f"{t['principal_id']}  {t['role']:<13} {state:<8} {t['expires_at'] or '-'}  {t['name']}")


@persons.command("revoke-token")
@click.argument("person_id", type=click.UUID)
@click.argument("grant_id", type=click.UUID)
@click.option("--reason", default="revoked by operator", show_default=True)
def persons_revoke_token(person_id: UUID, grant_id: UUID, reason: str) -> None:
    """Revoke one of a person's tokens."""
    try:
        system().persons.revoke_token(system_actor("jejak-persons"), person_id, grant_id, reason)
    except (DomainError, ApplicationError) as e:
        fail(getattr(e, "message", str(e)))
        return
    click.echo(f"revoked {grant_id}")

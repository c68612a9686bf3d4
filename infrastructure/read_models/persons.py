"""Persons read model: each person, their roles and status, and every token and account with the person behind it.

Tokens and accounts are kept here from their own grant events (a principal no person holds yet has no person id);
``Person.PrincipalLinked`` fills in the person, so old events keep naming the principal and this table says who
stands behind it. Authentication and the audit views read it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    bindparam,
    select,
)

from domain.access import AccessGrant
from domain.account import Account
from domain.person import ACTIVE, Person, SubjectClaim
from infrastructure.database import UTCDateTime
from infrastructure.projection import Projected, Projection

metadata = MetaData()

persons = Table(
    "persons",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("roles", Text, nullable=False),  # a JSON list, in the order granted
    Column("employee_id", Uuid, nullable=True),
    Column("status", String(16), nullable=False),
    Column("registered_at", UTCDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
)

principals = Table(
    "person_principals",
    metadata,
    Column("principal_id", Uuid, primary_key=True),
    Column("kind", String(16), nullable=False),  # "token" or "account"
    Column("person_id", Uuid, nullable=True),
    Column("role", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=True),
    Column("revoked", Boolean, nullable=False),
    Column("granted_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Index("ix_person_principals_person", "person_id"),
)

subjects = Table(
    "person_subjects",
    metadata,
    Column("id", Uuid, primary_key=True),  # the SubjectClaim's id
    Column("issuer", String(500), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("linked_at", UTCDateTime(), nullable=False),
)


class PersonProjection(Projection):
    """Keeps persons and their principals."""

    name = "persons"
    metadata = metadata
    handles = (Person.Registered, Person.RoleGranted, Person.RoleWithdrawn, Person.PrincipalLinked,
               Person.Deactivated, Person.Reactivated, AccessGrant.Granted, AccessGrant.Revoked, Account.Granted,
               Account.Revoked, SubjectClaim.Claimed)

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Apply each event to the person or principal it concerns."""
        for item in batch:
            e = item.event
            if isinstance(e, (AccessGrant.Granted, Account.Granted)):
                conn.execute(principals.insert().values(
                    principal_id=e.originator_id, kind="token" if isinstance(e, AccessGrant.Granted) else "account",
                    person_id=e.person_id, role=e.role, name=e.name, expires_at=getattr(e, "expires_at", None),
                    revoked=False, granted_at=e.timestamp))
            elif isinstance(e, (AccessGrant.Revoked, Account.Revoked)):
                conn.execute(principals.update().where(principals.c.principal_id == e.originator_id).values(
                    revoked=True, revoked_at=e.timestamp))
            elif isinstance(e, SubjectClaim.Claimed):
                conn.execute(subjects.insert().values(id=e.originator_id, issuer=e.issuer, subject=e.subject,
                                                      person_id=e.person_id, linked_at=e.timestamp))
            elif isinstance(e, Person.Registered):
                conn.execute(persons.insert().values(
                    id=e.originator_id, name=e.name, roles=json.dumps(list(e.roles)), employee_id=e.employee_id,
                    status=ACTIVE, registered_at=e.timestamp, version=e.originator_version))
            else:
                self._person_changed(conn, e)

    @staticmethod
    def _person_changed(conn: Connection, e: Any) -> None:
        where = persons.c.id == e.originator_id
        values: dict[str, Any] = {"version": e.originator_version}
        if isinstance(e, Person.PrincipalLinked):
            conn.execute(principals.update().where(principals.c.principal_id == e.principal_id).values(
                person_id=e.originator_id))
        elif isinstance(e, (Person.RoleGranted, Person.RoleWithdrawn)):
            roles = json.loads(conn.execute(select(persons.c.roles).where(where)).scalar_one())
            roles = [*roles, e.role] if isinstance(e, Person.RoleGranted) else [r for r in roles if r != e.role]
            values["roles"] = json.dumps(roles)
        elif isinstance(e, (Person.Deactivated, Person.Reactivated)):
            values["status"] = "deactivated" if isinstance(e, Person.Deactivated) else ACTIVE
        conn.execute(persons.update().where(where).values(**values))


_PRINCIPAL = select(principals).where(principals.c.principal_id == bindparam("b_id", type_=Uuid))
_PERSON = select(persons).where(persons.c.id == bindparam("b_id", type_=Uuid))
_ALIASES = select(principals.c.principal_id).where(principals.c.person_id == bindparam("b_id", type_=Uuid))
_ALIAS = principals.alias("alias")
# the person behind a principal and the ids of each of their principals, a row per id: one read per sign-in
_IDENTITY = (select(persons, _ALIAS.c.principal_id.label("alias_id"))
             .select_from(principals.join(persons, persons.c.id == principals.c.person_id)
                          .outerjoin(_ALIAS, _ALIAS.c.person_id == principals.c.person_id))
             .where(principals.c.principal_id == bindparam("b_id", type_=Uuid)))
_PERSON_COLUMNS = tuple(persons.c.keys())


def _person_row(row: Any) -> dict[str, Any]:
    found = dict(row._mapping)
    found["roles"] = json.loads(found["roles"])
    return found


class PersonView:
    """Persons and principals as the projection holds them."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def person(self, person_id: UUID) -> dict[str, Any] | None:
        """One person."""
        with self.engine.connect() as conn:
            row = conn.execute(_PERSON, {"b_id": person_id}).first()
        return _person_row(row) if row else None

    def all(self) -> list[dict[str, Any]]:
        """Every person, by name."""
        with self.engine.connect() as conn:
            return [_person_row(r) for r in conn.execute(select(persons).order_by(persons.c.name, persons.c.id))]

    def principal(self, principal_id: UUID) -> dict[str, Any] | None:
        """A token or account with the person behind it (person_id None while nobody holds it)."""
        with self.engine.connect() as conn:
            row = conn.execute(_PRINCIPAL, {"b_id": principal_id}).first()
        return dict(row._mapping) if row else None

    def identity(self, principal_id: UUID) -> tuple[dict[str, Any] | None, frozenset[str]]:
        """The person behind a principal and every id they are known by (their person id and principals)."""
        with self.engine.connect() as conn:
            rows = conn.execute(_IDENTITY, {"b_id": principal_id}).all()
        if not rows:  # no such principal, none holding it, or its person unknown here
            return None, frozenset()
        person = {name: rows[0]._mapping[name] for name in _PERSON_COLUMNS}
        person["roles"] = json.loads(person["roles"])
        return person, frozenset({str(person["id"]), *(str(r.alias_id) for r in rows if r.alias_id is not None)})

    def aliases(self, person_id: UUID) -> frozenset[str]:
        """Every id a person is known by: their person id and their tokens' and accounts' ids."""
        with self.engine.connect() as conn:
            ids = {str(p) for p in conn.execute(_ALIASES, {"b_id": person_id}).scalars()}
        return frozenset(ids | {str(person_id)})

    def principals_of(self, person_id: UUID, kind: str | None = None) -> list[dict[str, Any]]:
        """A person's tokens and accounts, newest first."""
        stmt = select(principals).where(principals.c.person_id == person_id)
        if kind:
            stmt = stmt.where(principals.c.kind == kind)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt.order_by(principals.c.granted_at.desc()))]

    def unlinked(self) -> list[dict[str, Any]]:
        """Tokens and accounts no person holds yet, oldest first."""
        stmt = select(principals).where(principals.c.person_id.is_(None)).order_by(principals.c.granted_at)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def people_behind(self, principal_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Principal id -> {"id", "name"} of the person behind it, for the ids that have one."""
        ids = []
        for raw in set(principal_ids):
            try:
                ids.append(UUID(raw))
            except (TypeError, ValueError):
                continue  # operators ("system:...") and ids from before tokens had UUIDs
        if not ids:
            return {}
        stmt = (select(principals.c.principal_id, persons.c.id, persons.c.name)
                .join(persons, persons.c.id == principals.c.person_id).where(principals.c.principal_id.in_(ids)))
        with self.engine.connect() as conn:
            return {str(p): {"id": str(i), "name": n} for p, i, n in conn.execute(stmt)}

    def subject(self, issuer: str, subject: str) -> dict[str, Any] | None:
        """The linked subject of an identity provider, if any."""
        stmt = select(subjects).where(subjects.c.issuer == issuer.rstrip("/"), subjects.c.subject == subject)
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return dict(row._mapping) if row else None

    def subjects_of(self, person_id: UUID) -> list[dict[str, Any]]:
        """The identity providers' subjects that sign a person in, in the order linked."""
        stmt = select(subjects).where(subjects.c.person_id == person_id).order_by(subjects.c.linked_at)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

"""Directory read model: units and employees with their current state and version."""


from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlalchemy import (
    Column,
    Connection,
    Date,
    Engine,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Uuid,
    and_,
    bindparam,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from application.queries.filters import EmployeeFilter, Page
from domain.employee import Employee
from domain.employment import PNS, golongan_order
from domain.unit import Unit
from infrastructure.database import UTCDateTime
from infrastructure.paging import keyset_page, like_escaped
from infrastructure.prepared import Prepared
from infrastructure.projection import BulkReplay, Projected, plain
from infrastructure.replay import Folded, RawEvent, sqlite_datetime

metadata = MetaData()

units = Table(
    "directory_units",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("id", Uuid, nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("registered_at", UTCDateTime(), nullable=False),
    # kept as employees register and move (the unit list must not count the whole directory on every read)
    Column("employee_count", Integer, nullable=False),
)

employees = Table(
    "directory_employees",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("nip", String(18), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("sex", String(1), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("service_start", Date, nullable=False),
    Column("unit", String(20), nullable=False),
    Column("unit_since", Date, nullable=False),
    Column("position", String(200), nullable=False),
    Column("position_since", Date, nullable=False),
    Column("rank", String(8), nullable=False),
    Column("rank_order", Integer, nullable=False),
    Column("rank_since", Date, nullable=False),
    Column("supervisor_id", Uuid, nullable=True),
    Column("supervisor_since", Date, nullable=False),
    Column("version", Integer, nullable=False),
    Column("registered_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("status", String(4), nullable=False),
    Column("status_since", Date, nullable=False),
    Index("ix_directory_employees_unit_name", "unit", "name", "id"),
    Index("ix_directory_employees_name", "name", "id"),
    Index("ix_directory_employees_supervisor", "supervisor_id"),
    Index("ix_directory_employees_rank", "rank"),
)


def _changes(event: Any) -> dict[str, Any]:
    """The columns an employee change event sets."""
    if isinstance(event, Employee.Moved):
        return {"unit": event.unit, "unit_since": event.effective}
    if isinstance(event, Employee.PositionChanged):
        return {"position": event.position, "position_since": event.effective}
    if isinstance(event, Employee.SupervisorChanged):
        return {"supervisor_id": event.supervisor_id, "supervisor_since": event.effective}
    if isinstance(event, Employee.RankChanged):
        return {"rank": event.rank, "rank_order": golongan_order(event.rank), "rank_since": event.effective}
    if isinstance(event, Employee.StatusChanged):
        return {"status": event.status, "status_since": event.effective}
    return {}


def _registered_row(e: Employee.Registered) -> dict[str, Any]:
    return {
        "id": e.originator_id,
        "nip": e.nip,
        "name": e.name,
        "sex": e.sex,
        "birth_date": e.birth_date,
        "service_start": e.service_start,
        "unit": e.unit,
        "unit_since": e.service_start,
        "position": e.position,
        "position_since": e.service_start,
        "rank": e.rank,
        "rank_order": golongan_order(e.rank),
        "rank_since": e.rank_since,
        "supervisor_id": e.supervisor_id,
        "supervisor_since": e.service_start,
        "version": e.originator_version,
        "registered_at": e.timestamp,
        "updated_at": e.timestamp,
        "status": e.status,
        "status_since": e.status_since,
    }


REGISTERED, UNIT_REGISTERED, UNIT_RENAMED = (get_topic(Employee.Registered), get_topic(Unit.Registered),
                                             get_topic(Unit.Renamed))
# topic -> (column, its *_since column): the event's field of that name sets the column, "effective" the date
CHANGES: dict[str, tuple[str, str]] = {
    get_topic(Employee.Moved): ("unit", "unit_since"),
    get_topic(Employee.PositionChanged): ("position", "position_since"),
    get_topic(Employee.SupervisorChanged): ("supervisor_id", "supervisor_since"),
    get_topic(Employee.RankChanged): ("rank", "rank_since"),
    get_topic(Employee.StatusChanged): ("status", "status_since"),
}
DATE_COLUMNS = frozenset({"birth_date", "service_start", "unit_since", "position_since", "rank_since",
                          "supervisor_since", "status_since"})
STAMP_COLUMNS = frozenset({"registered_at", "updated_at"})


class IncompleteRow(ValueError):
    """The log changes a unit or an employee that it never registered."""


def _complete(table: Table, rows: dict[str, dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The folded rows with ``rank_order`` added; a partial row (changes, no registration) is an error."""
    required = len(table.columns)
    for key, row in rows.items():
        if "rank" in row:
            row["rank_order"] = golongan_order(row["rank"])
        if len(row) != required:
            raise IncompleteRow(f"{table.name} {key}: the log changes it but never registered it")
        yield row


def _insert_sqlite(conn: Connection, table: Table, rows: dict[str, dict[str, Any]]) -> None:
    """Insert rows with the driver's executemany, in the text forms SQLAlchemy's SQLite types store."""
    columns = [c.name for c in table.columns]
    get = itemgetter(*columns)
    stamps = [i for i, c in enumerate(columns) if c in STAMP_COLUMNS]
    values = []
    for row in _complete(table, rows):
        value = list(get(row))
        for i in stamps:
            value[i] = sqlite_datetime(value[i])
        values.append(value)
    if values:
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        cursor = conn.connection.cursor()  # the driver's own: SQLAlchemy would want tuples
        try:
            cursor.executemany(sql, values)
        finally:
            cursor.close()


def _finished(row: dict[str, Any]) -> dict[str, Any]:
    """A folded row with its plain values turned into what the columns want."""
    out = dict(row)
    for column in DATE_COLUMNS:
        if column in out:
            out[column] = date.fromisoformat(out[column])
    for column in STAMP_COLUMNS:
        if column in out:
            out[column] = datetime.fromisoformat(out[column])
    out["id"] = UUID(out["id"])
    if out.get("supervisor_id") is not None:
        out["supervisor_id"] = UUID(out["supervisor_id"])
    return out


# each unit's head count from the employees in it (every unit, or those a WHERE names)
_RECOUNT = units.update().values(employee_count=select(func.count()).where(employees.c.unit == units.c.code)
                                 .scalar_subquery())


class DirectoryProjection(BulkReplay):
    """Keeps the unit list and the employee directory current."""

    name = "directory"
    metadata = metadata
    folds_old_versions = True  # fold() reads a version-1 registration as a PNS one, as its upcast does
    handles = (
        Unit.Registered,
        Unit.Renamed,
        Employee.Registered,
        Employee.Moved,
        Employee.PositionChanged,
        Employee.SupervisorChanged,
        Employee.RankChanged,
        Employee.StatusChanged,
    )

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Coalesce the batch per row, then write each shape of change with one executemany."""
        new_employees: dict[UUID, dict[str, Any]] = {}
        changed: dict[UUID, dict[str, Any]] = {}
        recount = self._units_left(conn, batch)
        for item in batch:
            event = item.event
            if isinstance(event, Unit.Registered):
                self._register_unit(conn, event)
            elif isinstance(event, Unit.Renamed):
                self._rename_unit(conn, event)
            elif isinstance(event, Employee.Registered):
                new_employees[event.originator_id] = _registered_row(event)
                recount.add(event.unit)
            else:
                if isinstance(event, Employee.Moved):
                    recount.add(event.unit)
                target = new_employees.get(event.originator_id) or changed.setdefault(event.originator_id, {})
                target.update(_changes(event))
                target["version"] = event.originator_version
                target["updated_at"] = item.timestamp
        if new_employees:
            conn.execute(employees.insert(), list(new_employees.values()))
        self._apply_changes(conn, changed)
        if recount:
            conn.execute(_RECOUNT.where(units.c.code.in_(bindparam("codes", expanding=True))),
                         {"codes": sorted(recount)})

    @staticmethod
    def _units_left(conn: Connection, batch: Sequence[Projected]) -> set[str]:
        """The units employees moving in this batch are in now (their head counts change too)."""
        moving = [item.event.originator_id for item in batch if isinstance(item.event, Employee.Moved)]
        if not moving:
            return set()
        return set(conn.execute(select(employees.c.unit).where(employees.c.id.in_(moving))).scalars())

    def fold(self, events: Iterator[RawEvent]) -> Folded:
        """Fold raw events into rows of plain JSON values (typed values unwrapped to their ISO/hex text,
        so no per-event object outlives its event; columns are converted once per final row)."""
        rows: dict[str, dict[str, Any]] = {}
        unit_rows: dict[str, dict[str, Any]] = {}
        for _, topic, oid, version, s in events:
            change = CHANGES.get(topic)
            if change is not None:
                row = rows.get(oid)
                if row is None:  # registered in an earlier segment of the log
                    row = rows[oid] = {}
                column, since = change
                value = s[column]
                row[column] = value["_data_"] if type(value) is dict else value  # a supervisor id, or None
                row[since] = s["effective"]["_data_"]
                row["version"] = version
                row["updated_at"] = s["timestamp"]["_data_"]
            elif topic == REGISTERED:
                start = plain(s["service_start"])
                rows[oid] = {
                    "id": oid, "nip": s["nip"], "name": s["name"], "sex": s["sex"],
                    "birth_date": plain(s["birth_date"]), "service_start": start, "unit": s["unit"],
                    "unit_since": start, "position": s["position"], "position_since": start, "rank": s["rank"],
                    "rank_since": plain(s["rank_since"]), "supervisor_id": plain(s["supervisor_id"]),
                    "supervisor_since": start, "version": version,
                    "registered_at": plain(s["timestamp"]), "updated_at": plain(s["timestamp"]),
                    "status": s.get("status", PNS), "status_since": plain(s.get("status_since", s["service_start"]))}
            elif topic == UNIT_REGISTERED:
                unit_rows[oid] = {"code": s["code"], "id": oid, "name": s["name"], "version": version,
                                  "registered_at": plain(s["timestamp"]), "employee_count": 0}
            elif topic == UNIT_RENAMED:
                unit_rows.setdefault(oid, {}).update(name=s["name"], version=version)
        return {str(units.name): unit_rows, str(employees.name): rows}

    def write(self, conn: Connection, folded: Folded) -> None:
        """Insert the folded units and employees, each table with one executemany."""
        for table in (units, employees):
            rows = folded.get(table.name, {})
            if conn.dialect.name == "sqlite":
                # SQLAlchemy's per-row bind processing was a fifth of the rebuild; the raw values already
                # have the text forms its SQLite types store (hex ids, ISO dates)
                _insert_sqlite(conn, table, rows)
            elif rows:
                conn.execute(table.insert(), [_finished(r) for r in _complete(table, rows)])
        conn.execute(_RECOUNT)  # once, after every row is in

    def _apply_changes(self, conn: Connection, changed: dict[UUID, dict[str, Any]]) -> None:
        shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for employee_id, values in changed.items():
            shapes.setdefault(tuple(sorted(values)), []).append({"_id": employee_id, **values})
        for columns, rows in shapes.items():
            stmt = (
                update(employees)
                .where(employees.c.id == bindparam("_id"))
                .values({c: bindparam(c) for c in columns})
            )
            conn.execute(stmt, rows)

    def _register_unit(self, conn: Connection, e: Unit.Registered) -> None:
        conn.execute(
            units.insert().values(
                code=e.code, id=e.originator_id, name=e.name, version=e.originator_version, registered_at=e.timestamp,
                employee_count=0,
            )
        )

    def _rename_unit(self, conn: Connection, e: Unit.Renamed) -> None:
        conn.execute(units.update().where(units.c.id == e.originator_id).values(name=e.name, version=e.originator_version))


class DirectoryView:
    """Units and employees as the directory projection holds them."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def units(self) -> list[dict[str, Any]]:
        """Every unit with its head count."""
        return self._rows(select(units).order_by(units.c.code))

    def unit(self, code: str) -> dict[str, Any] | None:
        """One unit by code."""
        rows = [u for u in self._rows(select(units).where(units.c.code == code))]
        return rows[0] if rows else None

    def employee(self, employee_id: UUID) -> dict[str, Any] | None:
        """One employee's directory entry."""
        return _EMPLOYEE_ROW.one_off(self.engine, {"b_id": employee_id})

    def names(self, employee_ids: Iterable[UUID]) -> dict[UUID, str]:
        """The names of those of these employees in the directory, in one read."""
        return {row["id"]: row["name"] for row in _NAMES.all_off(self.engine, {"ids": sorted(set(employee_ids))})}

    def choices(self, limit: int, text: str = "", unit: str = "", by_nip: bool = False) -> list[dict[str, Any]]:
        """The first ``limit`` employees by name, as a form's person picker shows them (id, name and unit only):
        those whose name holds every word of ``text`` in any case, or (``by_nip``, for a reader of personal
        fields) whose NIP starts with it, in ``unit`` when given."""
        words = text.split()[:MAX_WORDS]
        nip = by_nip and len(words) == 1 and words[0].isdigit()
        params: dict[str, Any] = {"limit": limit, **({"unit": unit} if unit else {})}
        if nip:
            params.update(nip_from=words[0], nip_to=words[0] + ":")  # ":" follows "9": the NIPs starting so
        params.update({f"w{i}": "%" + like_escaped(word) + "%" for i, word in enumerate(words)})
        found = _matching_choices(len(words), nip, bool(unit), self.engine.dialect.name == "sqlite")
        return found.all_off(self.engine, params)

    def employees(self, flt: EmployeeFilter, limit: int, cursor: str | None = None) -> Page:
        """Employees ordered by name, filtered, one page at a time."""
        given = tuple(getattr(flt, name) is not None and getattr(flt, name) != "" for name in _FILTERS)
        params = {f"f_{name}": getattr(flt, name) for name in _FILTERS}
        if flt.name:
            params["f_name"] = "%" + like_escaped(flt.name) + "%"
        with self.engine.connect() as conn:
            return keyset_page(conn, _employee_listing(given, conn.dialect.name == "sqlite"), _BY_NAME, limit, cursor,
                               params, kept_total=_kept_total(given))

    def unit_members(self, unit: str) -> list[dict[str, Any]]:
        """Everyone in a unit now, by name."""
        return self._rows(select(employees).where(employees.c.unit == unit).order_by(employees.c.name, employees.c.id))

    def direct_reports(self, supervisor_id: UUID) -> list[dict[str, Any]]:
        """The employees reporting directly to a supervisor."""
        stmt = select(employees).where(employees.c.supervisor_id == supervisor_id).order_by(employees.c.name)
        return self._rows(stmt)

    def direct_reports_page(self, supervisor_id: UUID, limit: int, cursor: str | None = None) -> Page:
        """One page of a supervisor's direct reports by name after a cursor, and how many there are."""
        stmt = select(employees).where(employees.c.supervisor_id == supervisor_id)
        with self.engine.connect() as conn:
            return keyset_page(conn, stmt, [(employees.c.name, False), (employees.c.id, False)], limit, cursor)

    def has_reports(self, employee_id: UUID) -> bool:
        """True when anyone reports to this employee (being a supervisor follows from the registry)."""
        with self.engine.connect() as conn:
            return conn.execute(_HAS_REPORTS, {"supervisor": employee_id}).first() is not None

    def all_reports(self, supervisor_id: UUID) -> set[UUID]:
        """Everyone below a supervisor, directly or indirectly (a recursive query over the reporting lines, so
        the cost follows the size of the team, not of the instansi; UNION stops at a cycle)."""
        with self.engine.connect() as conn:
            return set(conn.execute(_ALL_REPORTS, {"supervisor": supervisor_id}).scalars())

    def count(self) -> int:
        """How many employees are in the directory."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(employees)).scalar() or 0)

    def _rows(self, stmt: Select[Any]) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]


_FILTERS = ("unit", "rank", "name", "supervisor_id", "status")  # EmployeeFilter's fields, in _employee_listing
_BY_NAME = [(employees.c.name, False), (employees.c.id, False)]
_ONLY_UNIT = tuple(name == "unit" for name in _FILTERS)  # the filters given when a list is one unit's


@lru_cache(maxsize=64)
def _employee_listing(given: tuple[bool, ...], sqlite: bool) -> Select[Any]:
    """The directory filtered by the filters given (their values bound: ``f_unit`` ...), built once per
    combination (the name is a case-insensitive substring: a LIKE pattern escaped with ``/``, as the picker's)."""
    stmt = select(employees)
    for name, on in zip(_FILTERS, given, strict=True):
        if not on:
            continue
        value = bindparam(f"f_{name}", type_=employees.c[name].type)
        stmt = stmt.where(_name_like(value, sqlite) if name == "name" else employees.c[name] == value)
    return stmt


def _kept_total(given: tuple[bool, ...]) -> Select[Any] | None:
    """The listing's total from the units' kept head counts when it is filtered by unit at most (the whole directory
    or one unit: counting them cost every row, the first page of the directory read 30,000 rows for its total on a
    province's ledger); None otherwise (counted)."""
    if given == _ONLY_UNIT:
        return _UNIT_TOTAL
    return _ALL_TOTAL if not any(given) else None


def _name_like(pattern: BindParameter[Any], sqlite: bool) -> ColumnElement[bool]:
    """The employee's name matches the LIKE pattern in any case: SQLite's LIKE already ignores case (as far as its
    lower() goes, ASCII), at a third of the cost of lowering each name first; PostgreSQL's ILIKE."""
    name = employees.c.name
    return (name.like if sqlite else name.ilike)(pattern, escape="/")


@lru_cache(maxsize=64)
def _matching_choices(words: int, nip: bool, in_unit: bool, sqlite: bool) -> Prepared:
    """The picker's choices (all, with no words, no NIP and no unit) whose name is LIKE each of ``words`` patterns
    (``w0`` ...) in any case, or (``nip``) whose NIP lies from ``nip_from`` up to ``nip_to``, in the ``unit`` bound
    when ``in_unit``; ``limit`` of them by name, compiled once per combination."""
    stmt = select(employees.c.id, employees.c.name, employees.c.unit)
    named = [_name_like(bindparam(f"w{i}", type_=String), sqlite) for i in range(words)]
    matched = and_(*named) if named else None
    if nip:
        by_nip = and_(employees.c.nip >= bindparam("nip_from", type_=String),
                      employees.c.nip < bindparam("nip_to", type_=String))
        matched = by_nip if matched is None else or_(matched, by_nip)
    if matched is not None:
        stmt = stmt.where(matched)
    if in_unit:
        stmt = stmt.where(employees.c.unit == bindparam("unit", type_=String))
    return Prepared(stmt.order_by(employees.c.name, employees.c.id).limit(bindparam("limit", type_=Integer)))


def _all_reports() -> Select[Any]:
    below = select(employees.c.id).where(employees.c.supervisor_id == bindparam("supervisor", type_=Uuid)).cte(
        "below", recursive=True)
    below = below.union(select(employees.c.id).join(below, employees.c.supervisor_id == below.c.id))
    return select(below.c.id)


_ALL_REPORTS = _all_reports()
_ALL_TOTAL = select(func.coalesce(func.sum(units.c.employee_count), 0))
_UNIT_TOTAL = select(func.coalesce(func.sum(units.c.employee_count), 0)).where(
    units.c.code == bindparam("f_unit", type_=String))
# Statements every authenticated request runs, built once: SQLAlchemy memoizes a built statement's cache key,
# which otherwise costs about as much as running the query (150 of 280 µs for one of these, 2026-12-02).
_EMPLOYEE = select(employees).where(employees.c.id == bindparam("b_id", type_=Uuid))
_EMPLOYEE_ROW = Prepared(_EMPLOYEE)
MAX_WORDS = 5  # a picker search's words that count (each a LIKE over every name)
_NAMES = Prepared(select(employees.c.id, employees.c.name).where(employees.c.id.in_(bindparam("ids", expanding=True))))
_HAS_REPORTS = select(employees.c.id).where(employees.c.supervisor_id == bindparam("supervisor", type_=Uuid)).limit(1)

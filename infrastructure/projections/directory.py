"""Directory read model: units and employees with their current state and version."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlalchemy import (
    Column,
    Connection,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    bindparam,
    update,
)

from domain.employee import Employee
from domain.ranks import RANK_CODES
from domain.unit import Unit
from infrastructure.database import UTCDateTime
from infrastructure.projection import BulkReplay, Projected, RawEvent, plain

metadata = MetaData()

units = Table(
    "directory_units",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("id", Uuid, nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("registered_at", UTCDateTime(), nullable=False),
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
        return {"rank": event.rank, "rank_order": RANK_CODES.index(event.rank), "rank_since": event.effective}
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
        "rank_order": RANK_CODES.index(e.rank),
        "rank_since": e.rank_since,
        "supervisor_id": e.supervisor_id,
        "supervisor_since": e.service_start,
        "version": e.originator_version,
        "registered_at": e.timestamp,
        "updated_at": e.timestamp,
    }


REGISTERED, UNIT_REGISTERED, UNIT_RENAMED = (get_topic(Employee.Registered), get_topic(Unit.Registered),
                                             get_topic(Unit.Renamed))
CHANGES: dict[str, tuple[tuple[str, str], ...]] = {  # topic -> (column, state key) pairs; *_since from "effective"
    get_topic(Employee.Moved): (("unit", "unit"), ("unit_since", "effective")),
    get_topic(Employee.PositionChanged): (("position", "position"), ("position_since", "effective")),
    get_topic(Employee.SupervisorChanged): (("supervisor_id", "supervisor_id"), ("supervisor_since", "effective")),
    get_topic(Employee.RankChanged): (("rank", "rank"), ("rank_since", "effective")),
}
DATE_COLUMNS = frozenset({"birth_date", "service_start", "unit_since", "position_since", "rank_since",
                          "supervisor_since"})


def _sqlite_datetime(iso: str) -> str:
    """An ISO UTC timestamp in SQLAlchemy's SQLite DATETIME storage form."""
    day, _, rest = iso.partition("T")
    clock = rest[:15] if len(rest) > 8 and rest[8] == "." else rest[:8] + ".000000"
    return f"{day} {clock}"


def _sqlite_row(row: dict[str, Any]) -> dict[str, Any]:
    """A folded row in the text forms SQLAlchemy's SQLite types store."""
    out = {k: plain(v) for k, v in row.items()}
    for column in ("registered_at", "updated_at"):
        if column in out:
            out[column] = _sqlite_datetime(out[column])
    if "rank" in out:
        out["rank_order"] = RANK_CODES.index(out["rank"])
    return out


def _insert_sqlite(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows with the driver's executemany (values already in storage form)."""
    if not rows:
        return
    columns = [c.name for c in table.columns]
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    conn.exec_driver_sql(sql, [tuple(r[c] for c in columns) for r in rows])


def _finished(row: dict[str, Any]) -> dict[str, Any]:
    """A folded row with its raw values turned into what the columns want."""
    out = {k: plain(v) for k, v in row.items()}
    for column in DATE_COLUMNS:
        if column in out:
            out[column] = date.fromisoformat(out[column])
    for column in ("registered_at", "updated_at"):
        if column in out:
            out[column] = datetime.fromisoformat(out[column])
    out["id"] = UUID(out["id"])
    if out.get("supervisor_id") is not None:
        out["supervisor_id"] = UUID(out["supervisor_id"])
    if "rank" in out:
        out["rank_order"] = RANK_CODES.index(out["rank"])
    return out


class DirectoryProjection(BulkReplay):
    """Keeps the unit list and the employee directory current."""

    name = "directory"
    metadata = metadata
    handles = (
        Unit.Registered,
        Unit.Renamed,
        Employee.Registered,
        Employee.Moved,
        Employee.PositionChanged,
        Employee.SupervisorChanged,
        Employee.RankChanged,
    )

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Coalesce the batch per row, then write each shape of change with one executemany."""
        new_employees: dict[UUID, dict[str, Any]] = {}
        changed: dict[UUID, dict[str, Any]] = {}
        for item in batch:
            event = item.event
            if isinstance(event, Unit.Registered):
                self._register_unit(conn, event)
            elif isinstance(event, Unit.Renamed):
                self._rename_unit(conn, event)
            elif isinstance(event, Employee.Registered):
                new_employees[event.originator_id] = _registered_row(event)
            else:
                target = new_employees.get(event.originator_id) or changed.setdefault(event.originator_id, {})
                target.update(_changes(event))
                target["version"] = event.originator_version
                target["updated_at"] = event.timestamp
        if new_employees:
            conn.execute(employees.insert(), list(new_employees.values()))
        self._apply_changes(conn, changed)

    def replay(self, conn: Connection, events: Iterator[RawEvent]) -> None:
        """Fold the whole log into final rows in memory, then insert each table once."""
        rows: dict[str, dict[str, Any]] = {}
        unit_rows: dict[str, dict[str, Any]] = {}
        for e in events:
            # values stay raw while folding; only the final rows are converted (far fewer than events)
            s = e.state
            if e.topic in CHANGES:
                row = rows[e.originator_id]
                for column, key in CHANGES[e.topic]:
                    row[column] = s[key]
                row["version"], row["updated_at"] = e.version, s["timestamp"]
            elif e.topic == REGISTERED:
                start = s["service_start"]
                rows[e.originator_id] = {
                    "id": e.originator_id, "nip": s["nip"], "name": s["name"], "sex": s["sex"],
                    "birth_date": s["birth_date"], "service_start": start, "unit": s["unit"], "unit_since": start,
                    "position": s["position"], "position_since": start, "rank": s["rank"], "rank_since": s["rank_since"],
                    "supervisor_id": s["supervisor_id"], "supervisor_since": start, "version": e.version,
                    "registered_at": s["timestamp"], "updated_at": s["timestamp"]}
            elif e.topic == UNIT_REGISTERED:
                unit_rows[e.originator_id] = {"code": s["code"], "id": e.originator_id, "name": s["name"],
                                              "version": e.version, "registered_at": s["timestamp"]}
            elif e.topic == UNIT_RENAMED:
                unit_rows[e.originator_id].update(name=s["name"], version=e.version)
        if conn.dialect.name == "sqlite":
            # SQLAlchemy's per-row bind processing was a fifth of the rebuild; the raw values already
            # have the text forms its SQLite types store (hex ids, ISO dates)
            _insert_sqlite(conn, units, [_sqlite_row(r) for r in unit_rows.values()])
            _insert_sqlite(conn, employees, [_sqlite_row(r) for r in rows.values()])
            return
        if unit_rows:
            conn.execute(units.insert(), [_finished(r) for r in unit_rows.values()])
        if rows:
            conn.execute(employees.insert(), [_finished(r) for r in rows.values()])

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
                code=e.code, id=e.originator_id, name=e.name, version=e.originator_version, registered_at=e.timestamp
            )
        )

    def _rename_unit(self, conn: Connection, e: Unit.Renamed) -> None:
        conn.execute(units.update().where(units.c.id == e.originator_id).values(name=e.name, version=e.originator_version))


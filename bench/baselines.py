"""Baseline WSGI apps the HTTP benchmarks compare Jejak with (served by gunicorn like Jejak).

    gunicorn 'bench.baselines:create("bare_post")'   # Flask + marshmallow + one eventsourcing event per POST
    gunicorn 'bench.baselines:create("crud_post")'   # Flask + marshmallow + a row and an audit-table row
    gunicorn 'bench.baselines:create("bare_get")'    # Flask + marshmallow dump of one row read by id

Each app keeps its SQLite file in ``BENCH_BASELINE_DIR`` (WAL, ``synchronous=NORMAL``, as Jejak's).
None authenticates: they are what the same request costs without Jejak's checks, projections and audit trail.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import marshmallow as ma
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from flask import Flask, abort, request
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    create_engine,
    event,
    select,
)

GET_ROWS = 1000  # rows in the bare GET's table; the harness asks for ids 1..GET_ROWS


class ResponseIn(ma.Schema):
    """The same shape as Jejak's 360 response body."""

    ratings = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(allow_none=True), required=True)
    comments = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(allow_none=True), load_default=dict)


class SubmittedOut(ma.Schema):
    """What the POSTs answer."""

    response_id = ma.fields.UUID()
    submitted_at = ma.fields.AwareDateTime()


class Response(Aggregate):
    """One submitted response: the bare POST stores exactly one event (its creation)."""

    def __init__(self, round_id: str, ratings: dict[str, Any], comments: dict[str, Any]):
        self.round_id = round_id
        self.ratings = ratings
        self.comments = comments


class RowOut(ma.Schema):
    """One employee-like row."""

    id = ma.fields.Integer()
    nip = ma.fields.String()
    name = ma.fields.String()
    unit = ma.fields.String()
    rank = ma.fields.String()


metadata = MetaData()
responses = Table("responses", metadata, Column("id", Uuid, primary_key=True), Column("round_id", String(36)),
                  Column("ratings", JSON), Column("comments", JSON), Column("submitted_at", DateTime(timezone=True)))
audit = Table("audit", metadata, Column("id", Integer, primary_key=True), Column("at", DateTime(timezone=True)),
              Column("action", String(40)), Column("entity_id", Uuid), Column("payload", JSON))
people = Table("people", metadata, Column("id", Integer, primary_key=True), Column("nip", String(18)),
               Column("name", String(100)), Column("unit", String(20)), Column("rank", String(6)))


def create(kind: str) -> Flask:
    """The baseline app of this kind (gunicorn calls this in each worker)."""
    where = Path(os.environ.get("BENCH_BASELINE_DIR", "bench/out/baselines"))
    where.mkdir(parents=True, exist_ok=True)
    app = Flask(f"baseline_{kind}")
    if kind == "bare_post":
        _bare_post(app, where / "bare_post.db")
    elif kind == "crud_post":
        _crud_post(app, _engine(where / "crud_post.db"))
    elif kind == "bare_get":
        _bare_get(app, _engine(where / "bare_get.db"))
    else:
        raise ValueError(f"no baseline {kind!r}")
    return app


def _bare_post(app: Flask, db: Path) -> None:
    es = Application[UUID](env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(db),
                                "SQLITE_LOCK_TIMEOUT": "30"})
    schema, out = ResponseIn(), SubmittedOut()

    @app.post("/rounds/<round_id>/responses")
    def submit(round_id: str) -> Any:
        data = _load(schema)
        response = Response(round_id, data["ratings"], data["comments"])
        es.save(response)
        return out.dump({"response_id": response.id, "submitted_at": response.created_on}), 201


def _crud_post(app: Flask, engine: Engine) -> None:
    schema, out = ResponseIn(), SubmittedOut()

    @app.post("/rounds/<round_id>/responses")
    def submit(round_id: str) -> Any:
        data = _load(schema)
        rid, now = uuid4(), datetime.now(UTC)
        with engine.begin() as conn:
            conn.execute(responses.insert().values(id=rid, round_id=round_id, ratings=data["ratings"],
                                                   comments=data["comments"], submitted_at=now))
            conn.execute(audit.insert().values(at=now, action="response.submitted", entity_id=rid,
                                               payload={"round_id": round_id, "ratings": data["ratings"]}))
        return out.dump({"response_id": rid, "submitted_at": now}), 201


def _bare_get(app: Flask, engine: Engine) -> None:
    out = RowOut()
    @app.get("/people/<int:person_id>")
    def person(person_id: int) -> Any:
        with engine.connect() as conn:
            row = conn.execute(select(people).where(people.c.id == person_id)).first()
        if row is None:
            abort(404)
        return out.dump(row._mapping)


def _load(schema: ma.Schema) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = schema.load(request.get_json(force=True))
    except ma.ValidationError as e:
        abort(400, str(e.messages))
    return loaded


def _engine(db: Path) -> Engine:
    engine = create_engine(f"sqlite:///{db}", connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def prepare(where: Path) -> None:
    """Create the baselines' tables and fill the GET table (run once by the harness, before the workers start)."""
    where.mkdir(parents=True, exist_ok=True)
    Application[UUID](env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(where / "bare_post.db")
                           }).close()  # its tables, before two workers race to create them
    for name in ("crud_post.db", "bare_get.db"):
        engine = _engine(where / name)
        metadata.create_all(engine)
        if name == "bare_get.db":
            with engine.begin() as conn:
                if conn.execute(select(people.c.id).limit(1)).first() is None:
                    conn.execute(people.insert(), [
                        {"id": i, "nip": f"{198001012005011000 + i}", "name": f"Pegawai {i}", "unit": "BKPSDM",
                         "rank": "III/a"} for i in range(1, GET_ROWS + 1)])
        engine.dispose()

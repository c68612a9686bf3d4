"""Baseline WSGI apps the HTTP benchmarks compare Jejak with (served by gunicorn like Jejak).

    gunicorn 'bench.baselines:create("bare_post")'   # Flask + marshmallow + one eventsourcing event per POST
    gunicorn 'bench.baselines:create("crud_post")'   # Flask + marshmallow + a row and an audit-table row
    gunicorn 'bench.baselines:create("bare_get")'    # Flask + marshmallow dump of one row read by id
    gunicorn 'bench.baselines:create("crud_post_checked")'  # the CRUD app doing what the same submission needs
    BENCH_BASELINE_PG=postgresql://... gunicorn 'bench.baselines:create("bare_post_pg")'  # the bare POST on PostgreSQL

Each app keeps its SQLite file in ``BENCH_BASELINE_DIR`` (WAL, ``synchronous=FULL``: a write that answers is on
disk, as Jejak's and the bare POST's library store promise; ``BENCH_BASELINE_SYNCHRONOUS=NORMAL`` gives the figures
before 2026-12-05, when the CRUD apps alone ran without that promise). The bare POST's event store is the library's
own SQLite file, as Jejak's. ``bare_post``, ``crud_post`` and ``bare_get``
do not authenticate or check anything: they are what the request costs without any of Jejak's work.
``crud_post_checked`` is what a team would build instead of Jejak for the same submission, written plainly with
SQLAlchemy Core: it authenticates the bearer token by looking up its SHA-256 hash (and its expiry), reads the round
(open? closing date passed?) and the caller's approved nomination in it, validates the ratings and comments
against the round's questions, and in one transaction inserts the response, points the nomination at it (a
resubmission supersedes the earlier response, as in Jejak) and inserts an audit row.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import marshmallow as ma
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from flask import Flask, abort, request
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    bindparam,
    create_engine,
    event,
    select,
    update,
)

GET_ROWS = 1000  # rows in the bare GET's table; the harness asks for ids 1..GET_ROWS
SYNCHRONOUS = "NORMAL" if os.environ.get("BENCH_BASELINE_SYNCHRONOUS", "FULL").upper() == "NORMAL" else "FULL"


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


# The checked CRUD app's own tables (the round, its nominations, tokens; responses and audit as above).
tokens = Table("tokens", metadata, Column("hash", String(64), primary_key=True), Column("employee_id", Uuid),
               Column("expires_at", DateTime(timezone=True)), Column("revoked", Boolean))
rounds = Table("rounds", metadata, Column("id", Uuid, primary_key=True), Column("status", String(10)),
               Column("closes_on", Date), Column("questions", JSON))
nominations = Table("nominations", metadata, Column("id", Uuid, primary_key=True), Column("round_id", Uuid, index=True),
                    Column("reviewer_id", Uuid), Column("status", String(10)), Column("response_id", Uuid))
checked_responses = Table("checked_responses", metadata, Column("id", Uuid, primary_key=True), Column("round_id", Uuid),
                          Column("nomination_id", Uuid), Column("reviewer_id", Uuid), Column("ratings", JSON),
                          Column("comments", JSON), Column("submitted_at", DateTime(timezone=True)),
                          Column("supersedes", Uuid))
_TOKEN = select(tokens.c.employee_id, tokens.c.expires_at, tokens.c.revoked).where(tokens.c.hash == bindparam("h"))
_ROUND = select(rounds.c.status, rounds.c.closes_on, rounds.c.questions).where(rounds.c.id == bindparam("rid"))
_NOMINATION = select(nominations.c.id, nominations.c.response_id).where(
    nominations.c.round_id == bindparam("rid"), nominations.c.reviewer_id == bindparam("who"),
    nominations.c.status == "approved")
_ANSWER = update(nominations).where(nominations.c.id == bindparam("nid")).values(response_id=bindparam("resp"))


def create(kind: str) -> Flask:
    """The baseline app of this kind (gunicorn calls this in each worker)."""
    where = Path(os.environ.get("BENCH_BASELINE_DIR", "bench/out/baselines"))
    where.mkdir(parents=True, exist_ok=True)
    app = Flask(f"baseline_{kind}")
    if kind == "bare_post":
        _bare_post(app, where / "bare_post.db")
    elif kind == "bare_post_pg":
        _bare_post_pg(app, os.environ["BENCH_BASELINE_PG"])
    elif kind == "crud_post":
        _crud_post(app, _engine(where / "crud_post.db"))
    elif kind == "crud_post_checked":
        _crud_post_checked(app, _engine(where / "crud_post_checked.db", immediate=True))
    elif kind == "bare_get":
        _bare_get(app, _engine(where / "bare_get.db"))
    else:
        raise ValueError(f"no baseline {kind!r}")
    return app


def _bare_post(app: Flask, db: Path) -> None:
    _bare_post_into(app, Application[UUID](env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                                                "SQLITE_DBNAME": str(db), "SQLITE_LOCK_TIMEOUT": "30"}))


def _bare_post_pg(app: Flask, url: str) -> None:
    """The bare POST writing its event to PostgreSQL (``BENCH_BASELINE_PG``: postgresql://user@host:port/db?schema=s)."""
    _bare_post_into(app, Application[UUID](env=pg_env(url)))


def _bare_post_into(app: Flask, es: Application[UUID]) -> None:
    """The bare POST route: validate, store one event through ``es``, answer."""
    schema, out = ResponseIn(), SubmittedOut()

    @app.post("/rounds/<round_id>/responses")
    def submit(round_id: str) -> Any:
        data = _load(schema)
        response = Response(round_id, data["ratings"], data["comments"])
        es.save(response)
        return out.dump({"response_id": response.id, "submitted_at": response.created_on}), 201


def pg_env(url: str) -> dict[str, str]:
    """The eventsourcing library's PostgreSQL settings for a URL (as Jejak's, pool included)."""
    from infrastructure.config import Database

    db = Database.parse(url)
    env = {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": db.name, "POSTGRES_HOST": db.host,
           "POSTGRES_PORT": str(db.port), "POSTGRES_USER": db.user, "POSTGRES_PASSWORD": db.password,
           "POSTGRES_POOL_SIZE": "5", "POSTGRES_MAX_OVERFLOW": "10", "CREATE_TABLE": "y"}
    if db.schema:
        env["POSTGRES_SCHEMA"] = db.schema
    return env


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


def _crud_post_checked(app: Flask, engine: Engine) -> None:
    schema, out = ResponseIn(), SubmittedOut()
    write = engine.execution_options(write=True)

    @app.post("/rounds/<uuid:round_id>/responses")
    def submit(round_id: UUID) -> Any:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            abort(401)
        digest = hashlib.sha256(header[7:].encode()).hexdigest()
        now = datetime.now(UTC)
        with engine.connect() as conn:
            holder = conn.execute(_TOKEN, {"h": digest}).first()
        if holder is None or holder.revoked or _aware(holder.expires_at) <= now:
            abort(401)
        data = _load(schema)
        with write.begin() as conn:
            found = conn.execute(_ROUND, {"rid": round_id}).first()
            if found is None:
                abort(404)
            if found.status != "open" or found.closes_on < date.today():
                abort(409, "the round is closed")
            nomination = conn.execute(_NOMINATION, {"rid": round_id, "who": holder.employee_id}).first()
            if nomination is None:
                abort(403, "not an approved reviewer of this round")
            errors = _check_answers(found.questions, data["ratings"], data["comments"])
            if errors:
                abort(422, str(errors))
            rid = uuid4()
            conn.execute(checked_responses.insert().values(
                id=rid, round_id=round_id, nomination_id=nomination.id, reviewer_id=holder.employee_id,
                ratings=data["ratings"], comments=data["comments"], submitted_at=now, supersedes=nomination.response_id))
            conn.execute(_ANSWER, {"nid": nomination.id, "resp": rid})
            conn.execute(audit.insert().values(at=now, action="response.submitted", entity_id=rid, payload={
                "round_id": str(round_id), "by": str(holder.employee_id), "ratings": data["ratings"]}))
        return out.dump({"response_id": rid, "submitted_at": now}), 201


def _check_answers(questions: dict[str, Any], ratings: dict[str, Any], comments: dict[str, Any]) -> dict[str, str]:
    """Every rating question answered on the scale, nothing unknown, comments only for text questions."""
    errors: dict[str, str] = {}
    low, high = questions["scale_min"], questions["scale_max"]
    for qid in questions["ratings"]:
        value = ratings.get(qid)
        if type(value) is not int or not low <= value <= high:
            errors[qid] = f"a rating from {low} to {high} is required"
    errors.update({k: "unknown question" for k in ratings if k not in questions["ratings"]})
    for qid, text in comments.items():
        if qid not in questions["texts"]:
            errors[qid] = "unknown question"
        elif text is not None and (not isinstance(text, str) or len(text) > 2000):
            errors[qid] = "text of at most 2000 characters"
    return errors


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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


def _engine(db: Path, immediate: bool = False) -> Engine:
    """An SQLite engine; ``immediate``: transactions take the write lock when they begin, so a check read in one
    holds until its write (as Jejak's writes do)."""
    engine = create_engine(f"sqlite:///{db}", connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        if immediate:
            dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
        cursor.close()

    if immediate:
        @event.listens_for(engine, "begin")
        def on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

    return engine


def prepare(where: Path) -> None:
    """Create the baselines' tables and fill the GET table (run once by the harness, before the workers start)."""
    where.mkdir(parents=True, exist_ok=True)
    Application[UUID](env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(where / "bare_post.db")
                           }).close()  # its tables, before two workers race to create them
    for name in ("crud_post.db", "bare_get.db", "crud_post_checked.db"):
        engine = _engine(where / name)
        metadata.create_all(engine)
        if name == "bare_get.db":
            with engine.begin() as conn:
                if conn.execute(select(people.c.id).limit(1)).first() is None:
                    conn.execute(people.insert(), [
                        {"id": i, "nip": f"{198001012005011000 + i}", "name": f"Pegawai {i}", "unit": "BKPSDM",
                         "rank": "III/a"} for i in range(1, GET_ROWS + 1)])
        engine.dispose()


def prepare_checked(where: Path, plan: dict[str, Any], expires_at: datetime) -> None:
    """Fill the checked CRUD app's rounds, approved nominations and tokens from the Jejak bench plan (the same
    rounds, reviewers and bearer tokens as Jejak's submissions), emptying its responses first."""
    where.mkdir(parents=True, exist_ok=True)
    engine = _engine(where / "crud_post_checked.db")
    metadata.create_all(engine)
    with engine.begin() as conn:
        for table in (tokens, rounds, nominations, checked_responses, audit):
            conn.execute(table.delete())
        conn.execute(tokens.insert(), [{"hash": hashlib.sha256(token.encode()).hexdigest(), "employee_id": UUID(who),
                                        "expires_at": expires_at, "revoked": False}
                                       for who, token in plan["tokens"].items()])
        conn.execute(rounds.insert(), [{"id": UUID(r["id"]), "status": "open", "closes_on": date(2099, 1, 1),
                                        "questions": {"ratings": sorted(r["ratings"]), "texts": sorted(r["comments"]),
                                                      "scale_min": 1, "scale_max": 5}} for r in plan["rounds"]])
        conn.execute(nominations.insert(), [{"id": uuid4(), "round_id": UUID(r["id"]), "reviewer_id": UUID(who),
                                             "status": "approved", "response_id": None}
                                            for r in plan["rounds"] for who in r["reviewers"]])
    engine.dispose()

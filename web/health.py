"""Health: database reachability and projection lag, without authentication."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from infrastructure.lag import projection_lags
from web.auth import jejak, public
from web.blueprint import Blueprint
from web.dump import Out

blp = Blueprint("health", __name__, url_prefix="/api", description="Service health")


class ProjectionLagOut(Out):
    """One projection's position against the log head."""

    name = ma.fields.String()
    position = ma.fields.Integer()
    head = ma.fields.Integer()
    lag = ma.fields.Integer()
    parked = ma.fields.Integer(metadata={"description": "events the projection could not apply and passed over"})
    lag_seconds = ma.fields.Float(metadata={"description": "age of the oldest event not yet projected (0 when "
                                                           "caught up)"})


class HealthOut(Out):
    """Overall status."""

    status = ma.fields.String()
    database = ma.fields.String()
    projections = ma.fields.List(ma.fields.Nested(ProjectionLagOut))
    awaiting_rebuild = ma.fields.List(ma.fields.String(), metadata={
        "description": "read models built to another release's definition, which this process will not read until a "
                       "projection worker has rebuilt them (only in /ready)"})


@blp.route("/health")
@public
@blp.response(200, HealthOut)
@blp.alt_response(503, schema=HealthOut)
def health() -> Any:
    """Report whether the database answers and how far each projection lags."""
    system = jejak()
    if not system.database_ok():
        return {"status": "unavailable", "database": "unreachable", "projections": []}, 503
    lags = _lags()
    return {"status": "degraded" if any(p["parked"] for p in lags) else "ok", "database": "ok", "projections": lags}


@blp.route("/ready")
@public
@blp.response(200, HealthOut)
@blp.alt_response(503, schema=HealthOut)
def ready() -> Any:
    """Whether to send traffic here: 503 when the database does not answer, a read model awaits its rebuild to this
    process's release, a projection parked events, or a projection's oldest unprocessed event is older than
    JEJAK_READY_MAX_LAG_SECONDS."""
    system = jejak()
    if not system.database_ok():
        return {"status": "unavailable", "database": "unreachable", "projections": []}, 503
    lags = _lags()
    closed = system.read_model_gate.closed()
    if closed:
        return {"status": "awaiting-rebuild", "database": "ok", "projections": lags, "awaiting_rebuild": closed}, 503
    if any(p["parked"] for p in lags):
        return {"status": "parked-events", "database": "ok", "projections": lags}, 503
    if any(p["lag_seconds"] > system.settings.ready_max_lag_seconds for p in lags):
        return {"status": "lagging", "database": "ok", "projections": lags}, 503
    return {"status": "ok", "database": "ok", "projections": lags}


def _lags() -> list[dict[str, Any]]:
    return [lag.as_dict() for lag in projection_lags(jejak())]

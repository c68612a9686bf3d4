"""How far behind the read models are, in events and in time (the age of the oldest event not yet projected)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from infrastructure.container import Jejak

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lag:
    """One projection's distance from the head of the log."""

    name: str
    position: int
    head: int
    lag: int
    parked: int
    seconds: float  # 0 when caught up: the age of the oldest unprocessed event otherwise

    def as_dict(self) -> dict[str, Any]:
        """As the health routes report it."""
        return {"name": self.name, "position": self.position, "head": self.head, "lag": self.lag,
                "parked": self.parked, "lag_seconds": round(self.seconds, 3)}


def projection_lags(jejak: Jejak, now: datetime | None = None) -> list[Lag]:
    """Every projection's lag; the event after each position is read once, however many projections wait on it."""
    now = now or datetime.now(UTC)
    ages: dict[int, float] = {}
    lags = []
    for s in jejak.projections.status():
        if s.lag and s.position not in ages:
            ages[s.position] = _age(jejak, s.position + 1, now)
        lags.append(Lag(s.name, s.position, s.head, s.lag, s.parked, ages.get(s.position, 0.0) if s.lag else 0.0))
    return lags


def _age(jejak: Jejak, position: int, now: datetime) -> float:
    """Seconds since the first stored event at or after ``position`` was recorded."""
    found = jejak.ledger.recorder.select_notifications(start=position, limit=1)
    if not found:
        return 0.0
    try:
        recorded: datetime = getattr(jejak.ledger.mapper.to_domain_event(found[0]), "timestamp")  # noqa: B009
    except Exception:  # noqa: BLE001 - an event that cannot be decoded is the projection's to park, not ours
        log.warning("cannot read the time of the event at position %d", found[0].id, exc_info=True)
        return 0.0
    return max((now - recorded).total_seconds(), 0.0)

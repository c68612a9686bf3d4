"""Reading one's own writes when the read models are caught up elsewhere (a projection worker): wait until every
read model has passed a log position, up to a bound."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import bindparam, func, select

from infrastructure.projection import ProjectionRunner, tracking

_LOWEST = select(func.min(tracking.c.position)).where(tracking.c.name.in_(bindparam("names", expanding=True)))


def passed(runner: ProjectionRunner, position: int, names: Sequence[str] | None = None) -> bool:
    """Whether every named projection (default: all) has taken the log up to ``position``."""
    with runner.engine.connect() as conn:
        lowest = conn.execute(_LOWEST, {"names": list(names or runner.projections)}).scalar()
    return int(lowest or 0) >= position


def wait_until_passed(runner: ProjectionRunner, position: int, seconds: float, catch_up: bool = False,
                      names: Sequence[str] | None = None) -> bool:
    """Wait up to ``seconds`` until the projections have passed ``position``; True when they have. With ``catch_up``
    (the embedded set-up, where no worker runs) this process catches them up itself instead of only waiting."""
    deadline = time.monotonic() + seconds
    pause = 0.005
    while not passed(runner, position, names):
        if catch_up:
            runner.catch_up_quietly()
            if passed(runner, position, names):
                return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(pause, left))
        pause = min(pause * 2, 0.1)  # a worker usually answers within milliseconds; a slow one is not polled hard
    return True

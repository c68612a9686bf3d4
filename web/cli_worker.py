"""`jejak projections worker`: keep every projection caught up in a long-running process."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click

from infrastructure.blue_green import rebuild_changed
from infrastructure.worker import ProjectionWorker, claims_for
from web.cli import fail, projections, system


@projections.command("worker")
@click.option("--poll", "poll", default=5.0, show_default=True, type=click.FloatRange(0.05, 3600),
              help="Seconds between polls of the log (the fallback when a notification is lost; on SQLite the only "
                   "wake).")
@click.option("--claim", "claim", default=1.0, show_default=True, type=click.FloatRange(0.05, 600),
              help="Seconds between attempts to take over projections another worker owns (a dead worker's are "
                   "taken over within this).")
@click.option("--only", "only", multiple=True, help="Work on this projection only (repeatable; default: all).")
def projections_worker(poll: float, claim: float, only: tuple[str, ...]) -> None:
    """Run until stopped (SIGTERM/SIGINT), catching up the projections this process owns; on PostgreSQL several
    workers share them, each projection owned by one worker at a time."""
    jejak = system()
    runner = jejak.projections
    unknown = [n for n in only if n not in runner.projections]
    if unknown:
        fail(f"no projection {', '.join(unknown)}; known: {', '.join(runner.projections)}")
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    claims = claims_for(jejak.settings.database(), runner, jejak.settings.var_dir, stop)
    worker = ProjectionWorker(runner, claims, list(only) or None, poll_seconds=poll, claim_seconds=claim,
                              fingerprints=jejak.blue_green.fingerprints)
    # a projection whose definition this release changed is rebuilt beside its tables by its new owner (one a newer
    # release rebuilt is left to that release's workers)
    worker.on_start.append(lambda claimed: rebuild_changed(jejak.blue_green, claimed))
    worker.run(stop)

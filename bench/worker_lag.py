"""The projection worker's lag under a steady write load, on PostgreSQL.

    .venv/bin/python -m bench.worker_lag [--seconds 30] [--workers 1] [--url postgresql://postgres@127.0.0.1/test]
    .venv/bin/python -m bench.worker_lag --ledger postgresql://postgres@127.0.0.1/jejak_scale   # on a large ledger

Starts ``--workers`` `jejak projections worker` processes on a fresh schema, then registers employees one command
at a time (no catch-up in the writing process) for ``--seconds``, sampling every 0.2 s how many events the slowest
read model is behind the head; prints the write rate and the lag's p50, p99 and maximum, in events and in ms (the
time from a write's commit until every read model had passed it). With ``--ledger URL`` the workers run on that
existing, caught-up ledger instead (its read models rebuilt first), and the employees registered stay in it.
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import date
from tempfile import TemporaryDirectory

from application.actor import Actor, system_actor
from bench.workers import Workers, eventually
from infrastructure.config import Settings
from infrastructure.container import Jejak
from infrastructure.freshness import passed

HR = Actor(id="bench-hr", role="hr_admin", name="Admin", correlation_id="bench-worker-lag")


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) of the values (0 for none)."""
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else 0.0


def main(argv: list[str] | None = None) -> int:
    """Run the load and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--ledger", default=None, help="an existing PostgreSQL ledger to write into (not dropped)")
    args = parser.parse_args(argv)
    schema = f"bench_lag_{uuid.uuid4().hex[:8]}"
    with TemporaryDirectory() as tmp:
        settings = Settings.from_env({"JEJAK_VAR_DIR": tmp, "JEJAK_SECRET_KEY": "bench",
                                      "JEJAK_DATABASE_URL": args.ledger or f"{args.url}?schema={schema}",
                                      "JEJAK_CATCH_UP_IN_REQUEST": "0"})
        jejak = Jejak(settings)
        if not args.ledger:
            jejak.init(system_actor("bench"))
        first = jejak.projections.head()
        if jejak.directory.unit("BKPSDM") is None:  # the generated ledgers have it
            jejak.registry.register_unit(HR, "BKPSDM", "Badan Kepegawaian")
        workers = Workers(jejak)
        for _ in range(args.workers):
            workers.start("--poll", "5")
        try:
            if not eventually(lambda: passed(jejak.projections, jejak.projections.head()), 120):
                raise SystemExit("the worker did not catch up")
            lags: list[int] = []
            delays: list[float] = []
            stop = threading.Event()

            def sample() -> None:
                while not stop.is_set():
                    head = jejak.projections.head()
                    lowest = min(s.position for s in jejak.projections.status())
                    lags.append(head - lowest)
                    stop.wait(0.2)

            sampler = threading.Thread(target=sample)
            sampler.start()
            began, written, i = time.monotonic(), 0, 0
            while time.monotonic() - began < args.seconds:
                i += 1
                jejak.registry.register_employee(HR, nip=_nip(i, first), name=f"Pegawai {i}", unit="BKPSDM",
                                                 position="Analis", rank="II/a", rank_since=date(2011, 1, 1))
                written += 2
                if i % 10 == 0:  # how long until this write is in every read model
                    position, committed = jejak.projections.head(), time.monotonic()
                    while not passed(jejak.projections, position):
                        time.sleep(0.002)
                    delays.append((time.monotonic() - committed) * 1000)
            elapsed = time.monotonic() - began
            stop.set()
            sampler.join()
        finally:
            workers.stop()
            jejak.close()
            if not args.ledger:
                import psycopg

                with psycopg.connect(args.url, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    print(f"{written} events in {elapsed:.1f} s ({written / elapsed:.0f} events/s, one command at a time), "
          f"{args.workers} worker(s)")
    print(f"lag in events: p50 {quantile(lags, .5):.0f}, p99 {quantile(lags, .99):.0f}, max {max(lags)}")
    print(f"write to every read model, ms: p50 {quantile(delays, .5):.0f}, p99 {quantile(delays, .99):.0f}, "
          f"max {max(delays):.0f} ({len(delays)} writes timed)")
    return 0


def _nip(i: int, head: int = 0) -> str:
    """A valid NIP per command: birth date and serial vary with the counter, the appointment month with the head
    (so a second run on the same ledger does not reuse NIPs)."""
    day, serial, month = i // 999 % 28 + 1, i % 999 + 1, head % 12 + 1
    return f"198503{day:02d}2010{month:02d}1{serial:03d}"


if __name__ == "__main__":
    raise SystemExit(main())

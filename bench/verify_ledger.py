"""Benchmark: verify the hash chain and seals of a ledger of N events (default 1,000,000) on SQLite.

    .venv/bin/python -m bench.verify_ledger --events 1000000 [--db PATH]

The events are generated with the benchmark's event mix through the chained recorder, so the chain
is written exactly as in production; the run then seals the head and times a full verification.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from tqdm import tqdm

from bench.rebuild_directory import generate, machine, settings_for, stored_count
from infrastructure.container import Jejak
from infrastructure.seals import generate_key, load_key

OUT = Path(__file__).resolve().parent / "out"


def main(argv: list[str] | None = None) -> int:
    """Generate (once), seal, verify with a progress bar, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--employees", type=int, default=150_000)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args(argv)
    db = args.db or OUT / f"ledger-{args.events}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    if stored_count(db) != args.events:
        generate(db, args.events, min(args.employees, args.events // 4), seed=2026)
    jejak = Jejak(settings_for(db))
    key_file = db.with_name(db.name + ".seal.key")
    if not key_file.exists():
        generate_key(key_file)
    key = load_key(key_file)
    jejak.seals.seal(key)
    started, cpu = time.perf_counter(), time.process_time()
    with tqdm(total=args.events, unit="ev", desc="verify", smoothing=0.05) as bar:
        result = jejak.verifier.verify(key.public_key(), progress=bar.update)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    jejak.close()
    figures = {
        "benchmark": "ledger verify (SQLite)",
        "events": result.events,
        "status": "intact" if result.intact else "broken",
        "seals_checked": len(result.checkpoints),
        "seconds": round(seconds, 1),
        "events_per_s": round(result.events / seconds),
        "cpu_seconds": round(cpu_seconds, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        **machine(),
    }
    print(json.dumps(figures, indent=2))
    return 0 if result.intact else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: verify the hash chain and seals of a ledger of N events (default 1,000,000) on SQLite.

    .venv/bin/python -m bench.verify_ledger --events 1000000 [--db PATH]

The events are generated with the benchmark's event mix through the chained recorder, so the chain
is written exactly as in production; the run then seals the head and times a full verification
(``--workers``: processes hashing, default the verifier's own: 2 on a machine with 2 cores). Then it times a
plain hashlib loop over the same rows (read with sqlite3, the same content and link SHA-256 digests, nothing
compared or reported) as the baseline, and prints events per CPU-second of both and their ratio.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sqlite3
import struct
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
    parser.add_argument("--workers", type=int, default=None)
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
    if args.workers:
        jejak.verifier.workers = args.workers
    load = os.getloadavg()[0]
    started, cpu = time.perf_counter(), _cpu()
    with tqdm(total=args.events, unit="ev", desc="verify", smoothing=0.05) as bar:
        result = jejak.verifier.verify(key.public_key(), progress=bar.update)
    seconds, cpu_seconds = time.perf_counter() - started, _cpu() - cpu
    jejak.close()
    plain_started, plain_cpu = time.perf_counter(), _cpu()
    plain_events = plain_loop(db)
    plain_seconds, plain_cpu_seconds = time.perf_counter() - plain_started, _cpu() - plain_cpu
    figures = {
        "benchmark": "ledger verify (SQLite)",
        "events": result.events,
        "status": "intact" if result.intact else "broken",
        "seals_checked": len(result.checkpoints),
        "seconds": round(seconds, 1),
        "events_per_s": round(result.events / seconds),
        "cpu_seconds": round(cpu_seconds, 1),
        "workers": jejak.verifier.workers if args.events >= jejak.verifier.parallel_from else 1,
        "events_per_cpu_s": round(result.events / cpu_seconds),
        "plain_loop_seconds": round(plain_seconds, 1),
        "plain_loop_events_per_cpu_s": round(plain_events / plain_cpu_seconds),
        "ratio_per_cpu_s": round((result.events / cpu_seconds) / (plain_events / plain_cpu_seconds), 2),
        "ratio_wall": round(plain_seconds / seconds, 2),
        "load": [round(load, 2), round(os.getloadavg()[0], 2)],
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        **machine(),
    }
    print(json.dumps(figures, indent=2))
    return 0 if result.intact else 1


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the verify workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def plain_loop(db: Path) -> int:
    """The baseline: the same SHA-256 content and link digests over the same rows in a bare loop."""
    previous = b"\x00" * 32
    count = 0
    sha = hashlib.sha256
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        after = 0
        while True:
            rows = conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                                "WHERE rowid > ? ORDER BY rowid LIMIT 10000", (after,)).fetchall()
            if not rows:
                return count
            for position, oid, version, topic, state in rows:
                o, t = oid.replace("-", "").encode(), topic.encode()
                content = sha(struct.pack(">I", len(o)) + o + struct.pack(">Q", version) + struct.pack(">I", len(t))
                              + t + struct.pack(">I", len(state)) + state).digest()
                previous = sha(previous + struct.pack(">Q", position) + content).digest()
                count += 1
            after = rows[-1][0]


if __name__ == "__main__":
    raise SystemExit(main())

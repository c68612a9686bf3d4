"""HTTP benchmark harness: Jejak under gunicorn against bare baselines, driven by wrk, interleaved.

    .venv/bin/python -m bench.http_write [--duration 10] [--reps 3] [--connections 32]
    .venv/bin/python -m bench.http_read  [--duration 10] [--reps 3] [--connections 32]

The harness seeds a Jejak database once (the demo instansi plus ``--rounds`` open 360 rounds with three approved
peer reviewers each, a token per reviewer), starts Jejak and the baselines of ``bench/baselines.py`` under gunicorn
(2 sync workers each, access log off) on 127.0.0.1, and then runs wrk against each target in turn, ``--reps`` times
(interleaved, so a change in the machine's load hits every target alike). For each run it reads the workers'
user + system CPU time from ``/proc/<pid>/stat`` before and after, and prints requests/s, server CPU milliseconds
per request, p50/p99 latency, errors, and the ratios of Jejak's figures to each baseline's (medians of the reps),
with the 1-minute load average before and after. On a machine shared with other jobs, CPU per request is the
figure to trust; throughput depends on how much of the cores the servers got.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "http"
GUNICORN = Path(sys.executable).parent / "gunicorn"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PERIOD = "2031"  # bench rounds' period: no demo round uses it, so every reviewee has its slot free
# Appraisals the assessment benchmark assesses in turn (over as many periods from PERIOD as it takes): about 15
# assessments of each by the end of two 6-second reps, where 60 had each revised ~150 times, its answer (which lists
# every revision) growing all run long.
APPRAISALS = 600


@dataclass(frozen=True)
class Call:
    """One request wrk sends (cycled through a list)."""

    method: str
    path: str
    token: str | None = None
    body: str | None = None


@dataclass
class Target:
    """A server and the requests to send it."""

    name: str
    app: str  # gunicorn's APP argument
    env: dict[str, str]
    calls: list[Call]
    port: int = 0
    unique: str | None = None  # a body template with {n}: each request gets a fresh number (unique keys)
    root: Path = ROOT  # the code the server runs (another checkout with --compare-with)
    process: subprocess.Popen[bytes] | None = None
    runs: list[dict[str, float]] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------ seeding


def seed(var_dir: Path, n_rounds: int, database_url: str | None = None) -> dict[str, Any]:
    """Build the Jejak database once: demo, bench rounds with approved reviewers and their tokens, appraisals with
    their assessors' tokens (in ``var_dir``'s SQLite file, or on ``database_url``)."""
    from application.actor import Actor, system_actor
    from application.queries.filters import CaseFilter, RoundFilter
    from infrastructure.config import Settings
    from infrastructure.container import Jejak
    from infrastructure.demo import deferred_catch_up, load_demo
    from infrastructure.read_models.directory import employees

    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    env = {"JEJAK_VAR_DIR": str(var_dir), **({"JEJAK_DATABASE_URL": database_url} if database_url else {})}
    jejak = Jejak(Settings.from_env(env, password_time_cost=1, password_memory_kib=8192))
    jejak.init(system_actor("jejak-init"))
    result = load_demo(jejak)
    hr = Actor(id="bench-hr", role="hr_admin", name="Bench HR")
    system = system_actor("bench")
    from sqlalchemy import select

    with jejak.engine.connect() as conn:
        staff = [(r.id, r.supervisor_id, r.name) for r in conn.execute(
            select(employees.c.id, employees.c.supervisor_id, employees.c.name).order_by(employees.c.nip))]
    rng = random.Random(13)
    tokens: dict[UUID, str] = {}
    rounds: list[dict[str, Any]] = []
    with deferred_catch_up(jejak):
        for reviewee_id, supervisor_id, _name in rng.sample(staff, min(n_rounds, len(staff))):
            peers = [s for s in staff if s[0] not in (reviewee_id, supervisor_id) and s[1] != reviewee_id]
            reviewers = rng.sample(peers, 3)
            fb_round = jejak.feedback.open_round(hr, reviewee_id, PERIOD, date.today() + timedelta(days=365))
            jejak.feedback.add_all(hr, fb_round.id, [(r[0], "peer") for r in reviewers])
            for r in reviewers:
                if r[0] not in tokens:
                    tokens[r[0]] = jejak.access.issue(system, "employee", r[2], r[0]).token
            questions = fb_round.questions()
            rounds.append({"id": str(fb_round.id), "reviewers": [str(r[0]) for r in reviewers],
                           "ratings": {q: 4 for q in questions.rating_ids()},
                           "comments": {q: "Kerja sama baik." for q in questions.text_ids()}})
        appraisals = seed_appraisals(jejak, hr, [s for s in staff if s[1] is not None], APPRAISALS, rng, tokens)
    closed = [str(r["id"]) for r in jejak.feedback_view.rounds(RoundFilter(status="closed"), 50)]
    supervisors = [s for s in staff if any(t[1] == s[0] for t in staff)]
    boss = max(supervisors, key=lambda s: sum(1 for t in staff if t[1] == s[0]))
    boss_token = jejak.access.issue(system, "employee", boss[2], boss[0]).token
    cases = jejak.promotion_view.cases(CaseFilter(), 50).items
    plan = {
        "hr_token": result.tokens["hr_admin"],
        "boss_token": boss_token,
        "rounds": rounds,
        "tokens": {str(k): v for k, v in tokens.items()},
        "closed_rounds": closed,
        "employees": [str(s[0]) for s in rng.sample(staff, 50)],
        "cases": [str(c["id"]) for c in cases],
        "appraisals": appraisals,
    }
    jejak.close()
    (var_dir / "bench-plan.json").write_text(json.dumps(plan))
    return plan


def seed_appraisals(jejak: Any, hr: Any, supervised: list[tuple[UUID, UUID, str]], n: int, rng: random.Random,
                    tokens: dict[UUID, str]) -> list[dict[str, str]]:
    """``n`` appraisals from the bench period on, with one agreed target each, and a token for each assessor (the supervisor):
    what the assessment benchmark needs (an assessor may assess again until the appraisal is final)."""
    from application.actor import Actor, system_actor

    names = {s[0]: s[2] for s in supervised}
    found = []
    order = rng.sample(supervised, len(supervised))
    for k in range(n):  # a further period once every employee has one
        period, (employee_id, supervisor_id, _name) = str(int(PERIOD) + k // len(order)), order[k % len(order)]
        appraisal = jejak.appraisals.open(hr, employee_id, period)
        assessor = Actor(id=str(supervisor_id), role="employee", name=names.get(supervisor_id, "Atasan"),
                         employee_id=supervisor_id)
        jejak.appraisals.agree_target(assessor, appraisal.id, "Menyelesaikan laporan kinerja", "Laporan tepat waktu")
        if supervisor_id not in tokens:
            tokens[supervisor_id] = jejak.access.issue(system_actor("bench"), "employee",
                                                       names.get(supervisor_id, "Atasan"), supervisor_id).token
        found.append({"id": str(appraisal.id), "token": tokens[supervisor_id]})
    return found


def load_plan(var_dir: Path, n_rounds: int, fresh: bool) -> dict[str, Any]:
    """The seeded database's plan, seeding first when missing."""
    plan_file = var_dir / "bench-plan.json"
    plan: dict[str, Any] = {} if fresh or not plan_file.exists() else json.loads(plan_file.read_text())
    if len(plan.get("appraisals", ())) != APPRAISALS:  # none yet, or seeded by an earlier version
        print(f"seeding {var_dir} (demo + {n_rounds} rounds) ...", file=sys.stderr)
        return seed(var_dir, n_rounds)
    return plan


# ------------------------------------------------------------------------------------------------ servers


def start(target: Target, port: int, workers: int) -> None:
    """Start gunicorn for a target and wait until it answers."""
    target.port = port
    env = {**os.environ, **target.env, "PYTHONPATH": str(target.root)}
    target.process = subprocess.Popen(
        [str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
         "--backlog", "2048", "--log-level", "warning", target.app],
        cwd=target.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180  # a loaded machine can take over a minute to import and upgrade
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means it is up
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{target.name} did not start on port {port}")


def stop(target: Target) -> None:
    """Stop a target's gunicorn (the master stops its workers)."""
    if target.process and target.process.poll() is None:
        target.process.send_signal(signal.SIGTERM)
        try:
            target.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            target.process.kill()


def workers_cpu(target: Target) -> tuple[float, float]:
    """User and system CPU seconds of the target's gunicorn workers (children of the master), from /proc."""
    assert target.process is not None
    master = target.process.pid
    user = system = 0
    for pid in _children(master):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        user, system = user + int(fields[11]), system + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return user / CLK_TCK, system / CLK_TCK


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def check(target: Target) -> None:
    """Send the first calls once and refuse to measure a target that answers with an error."""
    for call in target.calls[:3]:
        body = call.body if target.unique is None else target.unique.replace("{n}", f"check-{time.time_ns():x}")
        req = urllib.request.Request(f"http://127.0.0.1:{target.port}{call.path}", method=call.method,
                                     data=body.encode() if body else None)
        if call.token:
            req.add_header("Authorization", f"Bearer {call.token}")
        if body:
            req.add_header("Content-Type", "application/json")
        try:
            urllib.request.urlopen(req, timeout=30).read()
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{target.name}: {call.method} {call.path} answered {e.code}: {e.read()[:300]!r}"
                               ) from None


# ------------------------------------------------------------------------------------------------ wrk


LUA = r"""
local calls = {%(calls)s}
local unique = %(unique)s
local i, n = 0, 0
id = 1  -- each thread's own (set by setup; a global, so thread:set reaches it)
local counter = 1
setup = function(thread) thread:set("id", counter); counter = counter + 1 end
init = function(args) i = (id - 1) * math.floor(#calls / 2) end
request = function()
  i = i %% #calls + 1
  local c = calls[i]
  if unique then
    n = n + 1
    local body = string.gsub(unique, "{n}", "%(nonce)s-" .. id .. "-" .. n)
    return wrk.format(c[1], c[2], c[3], body)
  end
  return wrk.format(c[1], c[2], c[3], c[4])
end
local shown = 0
response = function(status, headers, body)
  if status >= 400 and shown < 2 then
    shown = shown + 1
    io.write("ERROR " .. status .. " " .. string.sub(body, 1, 300) .. "\n")
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {"requests": %%d, "duration_us": %%d, "non2xx": %%d, "socket_errors": %%d, ' ..
    '"p50_ms": %%.2f, "p99_ms": %%.2f, "mean_ms": %%.2f}\n', summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000))
end
"""


def _lua_string(value: str) -> str:
    return json.dumps(value)  # JSON string escapes are valid Lua escapes for what we send


def lua_script(target: Target) -> str:
    """The wrk script cycling through the target's calls (threads start at different offsets)."""
    entries = []
    for c in target.calls:
        headers = {"Content-Type": "application/json"} if (c.body or target.unique) else {}
        if c.token:
            headers["Authorization"] = f"Bearer {c.token}"
        lua_headers = "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()) + "}"
        entries.append(f"{{{_lua_string(c.method)}, {_lua_string(c.path)}, {lua_headers}, "
                       f"{_lua_string(c.body) if c.body else 'nil'}}}")
    return LUA % {"calls": ",\n".join(entries), "unique": _lua_string(target.unique) if target.unique else "nil",
                  "nonce": f"{time.time_ns():x}"}


def server_exit(target: Target) -> str:
    """Why the target's server is gone, when it is (its exit status and the end of its log); else nothing."""
    process = target.process
    if process is None or process.poll() is None:
        return ""
    log = process.stderr.read().decode(errors="replace") if process.stderr else ""
    return f"\n{target.name}'s gunicorn exited with status {process.returncode}:\n{log[-3000:]}"


def run_wrk(target: Target, seconds: float, connections: int, threads: int) -> dict[str, float]:
    """One wrk run against a target; requests/s, CPU per request and latencies."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua_script(target))
        script = f.name
    try:
        load_before = os.getloadavg()[0]
        cpu_before = workers_cpu(target)
        out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(round(seconds), 1)}s",
                              "--timeout", "30s", "-s", script, f"http://127.0.0.1:{target.port}"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"wrk failed on {target.name}: {out.stderr or out.stdout}{server_exit(target)}")
        user, system = (after - before for after, before in zip(workers_cpu(target), cpu_before, strict=True))
        load_after = os.getloadavg()[0]
    finally:
        os.unlink(script)
    for x in out.stdout.splitlines():
        if x.startswith("ERROR "):
            print(f"  {target.name}: {x}", file=sys.stderr)
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCH "))
    result: dict[str, float] = json.loads(line[6:])
    seconds_run = result["duration_us"] / 1e6
    requests = max(result["requests"], 1)
    # the kernel's part (system time: the database's file reads and writes, the sockets) told apart
    result.update(rps=result["requests"] / seconds_run, cpu_ms=1000 * (user + system) / requests,
                  sys_ms=1000 * system / requests, load_before=load_before, load_after=load_after)
    return result


# ------------------------------------------------------------------------------------------------ main


def parser(description: str) -> argparse.ArgumentParser:
    """The options every HTTP benchmark takes."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run (default 10)")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of unmeasured load first (default 2)")
    p.add_argument("--reps", type=int, default=3, help="interleaved runs per target (default 3)")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server (default 2)")
    p.add_argument("--rounds", type=int, default=60, help="open 360 rounds seeded for the write benchmark")
    p.add_argument("--fresh", action="store_true", help="seed the Jejak database again")
    p.add_argument("--only", default=None, help="comma-separated target names to run")
    p.add_argument("--port", type=int, default=18100,
                   help="first server port (default 18100; give another while another run uses the machine)")
    p.add_argument("--json", type=Path, default=None, help="append the result as one JSON line to this file")
    p.add_argument("--compare-with", type=Path, default=None, metavar="DIR",
                   help="also run each Jejak target on the code checked out in DIR (e.g. `git archive main | tar -x "
                        "-C DIR`), named before_<target>, on its own copy of the database")
    return p


def with_before(targets: list[Target], args: argparse.Namespace) -> list[Target]:
    """The targets plus, with --compare-with, each Jejak target again on the other checkout."""
    if args.compare_with is None:
        return targets
    before = []
    copies: dict[str, Path] = {}
    for t in targets:
        if not t.name.startswith("jejak_"):
            continue
        if t.env.get("JEJAK_DATABASE_URL", "").startswith("postgresql"):
            # its twin would run on a copy of the SQLite database: compare PostgreSQL code with bench.request_cost
            print(f"--compare-with: {t.name} skipped (SQLite targets only)", file=sys.stderr)
            continue
        var = t.env["JEJAK_VAR_DIR"]
        if var not in copies:
            copies[var] = fresh_copy(OUT / "seeded", f"before-{Path(var).name}")
        before.append(Target(t.name.replace("jejak_", "before_", 1), t.app, jejak_env(copies[var]), t.calls,
                             unique=t.unique, root=args.compare_with.resolve()))
    return targets + before


def pg_url(url: str, schema: str) -> str:
    """A PostgreSQL URL for a schema of its own, dropped and created afresh (so runs do not collide)."""
    import psycopg

    from infrastructure.config import Database

    db = Database.parse(url)
    with psycopg.connect(host=db.host, port=db.port, dbname=db.name, user=db.user, password=db.password or None,
                         autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{url.split('?')[0]}?schema={schema}"


def jejak_env(var_dir: Path) -> dict[str, str]:
    """The environment of a Jejak server on a copy of the seeded database."""
    return {"JEJAK_VAR_DIR": str(var_dir), "JEJAK_DATABASE_URL": f"sqlite:///{var_dir / 'jejak.db'}"}


def fresh_copy(seeded: Path, name: str) -> Path:
    """A copy of the seeded database for one server (so each run starts from the same state)."""
    copy = OUT / name
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(seeded, copy)
    return copy


def run(targets: Sequence[Target], baselines: dict[str, list[str]], args: argparse.Namespace) -> int:
    """Start every target, warm it up, interleave the measured runs, print the table and ratios."""
    from bench.baselines import prepare

    only = set(args.only.split(",")) if args.only else None
    # a Jejak target named in --only brings its --compare-with twin (before_<target>) along
    chosen = [t for t in targets if only is None or t.name in only or t.name.replace("before_", "jejak_", 1) in only]
    prepare(OUT / "baselines")
    print(f"load before start: {os.getloadavg()}", file=sys.stderr)
    servers: dict[tuple[str, str, str], Target] = {}  # targets with the same app and environment share one server
    try:
        for target in chosen:
            key = (target.app, json.dumps(target.env, sort_keys=True), str(target.root))
            if key not in servers:
                start(target, args.port + len(servers), args.workers)
                servers[key] = target
            target.process, target.port = servers[key].process, servers[key].port
            check(target)
        for target in chosen:
            run_wrk(target, args.warmup, args.connections, args.threads)
        for rep in range(args.reps):
            for target in (chosen if rep % 2 == 0 else list(reversed(chosen))):
                r = run_wrk(target, args.duration, args.connections, args.threads)
                target.runs.append(r)
                print(f"rep {rep + 1} {target.name:<22} {r['rps']:8.1f} req/s  {r['cpu_ms']:7.2f} CPU ms/req (sys {r['sys_ms']:4.2f})  "
                      f"p50 {r['p50_ms']:7.1f}  p99 {r['p99_ms']:7.1f} ms  non2xx {int(r['non2xx'])}  "
                      f"sock {int(r['socket_errors'])}  load {r['load_before']:.2f}->{r['load_after']:.2f}",
                      file=sys.stderr)
    finally:
        for target in servers.values():
            stop(target)
    summary = report(chosen, baselines)
    if args.json:
        with args.json.open("a") as f:
            f.write(json.dumps(summary) + "\n")
    return 0


def _median(target: Target, key: str) -> float:
    return statistics.median(r[key] for r in target.runs)


def report(targets: Sequence[Target], baselines: dict[str, list[str]]) -> dict[str, Any]:
    """Print medians per target and Jejak/baseline ratios; return them for --json."""
    by_name = {t.name: t for t in targets}
    rows: dict[str, dict[str, Any]] = {}
    print(f"\n{'target':<22}{'req/s':>9}{'CPU ms/req':>12}{'sys ms':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}  load")
    for t in targets:
        errors = int(sum(r["non2xx"] + r["socket_errors"] for r in t.runs))
        loads = [r["load_before"] for r in t.runs] + [r["load_after"] for r in t.runs]
        rows[t.name] = {**{k: _median(t, k) for k in ("rps", "cpu_ms", "sys_ms", "p50_ms", "p99_ms")},
                        "errors": errors, "load": [min(loads), max(loads)]}
        row = rows[t.name]
        print(f"{t.name:<22}{row['rps']:9.1f}{row['cpu_ms']:12.2f}{row['sys_ms']:8.2f}{row['p50_ms']:9.1f}"
              f"{row['p99_ms']:9.1f}{errors:8d}  {min(loads):.2f}-{max(loads):.2f}")
    for t in targets:  # the change itself: the same route before and after
        if t.name.startswith("before_") and t.name.replace("before_", "jejak_", 1) in by_name:
            baselines = {**baselines, t.name.replace("before_", "jejak_", 1): [
                *baselines.get(t.name.replace("before_", "jejak_", 1), []), t.name]}
    ratios = {}
    print("\nratios (Jejak / baseline; throughput, and baseline CPU / Jejak CPU: 1.0 = as cheap as the baseline)")
    for name, bases in baselines.items():
        if name not in by_name:
            continue
        for base in bases:
            if base not in by_name:
                continue
            rps = rows[name]["rps"] / rows[base]["rps"]
            cpu = rows[base]["cpu_ms"] / rows[name]["cpu_ms"]
            ratios[f"{name}/{base}"] = {"rps": rps, "cpu": cpu}
            print(f"  {name:<22} vs {base:<14} throughput {rps:5.2f}   CPU {cpu:5.2f}")
    return {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "targets": rows, "ratios": ratios}

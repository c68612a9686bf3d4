"""A client trickling its request one byte at a time holds one thread, never the server."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

from tests.e2e.test_http import JEJAK, ROOT, free_port, run_cli, wait_until_serving


def trickle(port: int, stop: threading.Event) -> None:
    """Send a request's header one byte every 0.3 s until told to stop."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for byte in b"GET /api/units HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000:
            if stop.is_set():
                return
            sock.send(bytes([byte]))
            time.sleep(0.3)


def test_health_answers_at_once_while_slow_clients_trickle_their_requests(tmp_path: Path) -> None:
    env = {**os.environ, "JEJAK_VAR_DIR": str(tmp_path)}
    env.pop("JEJAK_DATABASE_URL", None)
    run_cli(env, "init")
    port = free_port()
    proc = subprocess.Popen([JEJAK, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop = threading.Event()
    base = f"http://127.0.0.1:{port}/api/health"
    try:
        wait_until_serving(proc, base)
        slow = [threading.Thread(target=trickle, args=(port, stop), daemon=True) for _ in range(4)]
        for client in slow:
            client.start()
        time.sleep(2.0)  # every slow client is connected and part-way through its header
        started = time.monotonic()
        with urllib.request.urlopen(base, timeout=10) as response:
            assert response.status == 200
        assert time.monotonic() - started < 3.0
    finally:
        stop.set()
        proc.terminate()
        proc.wait(timeout=20)

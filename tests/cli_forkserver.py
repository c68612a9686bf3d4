"""The `jejak` command for tests, in a fresh process without a fresh interpreter's two seconds of imports.

A server process imports `web.cli` once; each command is a child forked from it, which takes the caller's standard
input, output and error (their descriptors passed over a Unix socket), environment, working directory and arguments,
runs `web.cli.main` as the console script does, and exits with its status. The child starts from the state a new
`jejak` process has after its imports (the server runs nothing else), so a test sees what a user's shell would; the
tests of the installed console script and of `jejak serve` (tests/e2e) still start it from scratch.

    python -m tests.cli_forkserver serve SOCKET        # the server (started by ``ForkServer.shared``)
    python -m tests.cli_forkserver run SOCKET ARGS...  # a command through it, as a shell script would call it
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_HEADER = struct.Struct("!I")


def _send(conn: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    """One length-prefixed JSON message, with descriptors beside its first bytes."""
    body = json.dumps(message).encode()
    data = _HEADER.pack(len(body)) + body
    if fds:
        socket.send_fds(conn, [data[:_HEADER.size]], fds)
        conn.sendall(data[_HEADER.size:])
    else:
        conn.sendall(data)


def _receive(conn: socket.socket, with_fds: int = 0) -> tuple[dict[str, Any] | None, list[int]]:
    """One message and the descriptors sent with it; (None, []) at the end of the stream."""
    fds: list[int] = []
    if with_fds:
        head, fds, _, _ = socket.recv_fds(conn, _HEADER.size, with_fds)
    else:
        head = conn.recv(_HEADER.size)
    head += _exactly(conn, _HEADER.size - len(head))
    if len(head) < _HEADER.size:
        return None, fds
    (size,) = _HEADER.unpack(head)
    return json.loads(_exactly(conn, size)), fds


def _exactly(conn: socket.socket, size: int) -> bytes:
    """``size`` bytes, or fewer at the end of the stream."""
    chunks = []
    while size > 0:
        chunk = conn.recv(min(size, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


# -- the server --------------------------------------------------------------------------------------------------

def serve(path: str) -> None:
    """Import the command, then fork a child for each request until terminated."""
    import web.cli  # noqa: F401 - what every child would otherwise import

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    while True:
        conn, _ = listener.accept()
        request, fds = _receive(conn, with_fds=3)
        if request is None or len(fds) != 3:
            conn.close()
            for fd in fds:
                os.close(fd)
            continue
        pid = os.fork()
        if pid == 0:
            listener.close()
            conn.close()
            _child(request, fds)
        for fd in fds:
            os.close(fd)
        _send(conn, {"pid": pid})
        threading.Thread(target=_report_exit, args=(conn, pid), daemon=True).start()


def _report_exit(conn: socket.socket, pid: int) -> None:
    """Tell the caller how the child ended."""
    _, status = os.waitpid(pid, 0)
    try:
        _send(conn, {"returncode": os.waitstatus_to_exitcode(status)})
    except OSError:
        pass  # the caller gave up waiting
    finally:
        conn.close()


def _child(request: dict[str, Any], fds: list[int]) -> None:
    """Become the command: the caller's descriptors, environment, directory and arguments; then exit."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.argv = ["jejak", *request["args"]]
    code = 0
    try:
        from web.cli import main

        main()
    except SystemExit as done:
        code = _exit_code(done.code)
    except BaseException:  # noqa: BLE001 - as the interpreter would: the traceback on standard error, status 1
        import traceback

        traceback.print_exc()
        code = 1
    try:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _exit_code(code: object) -> int:
    """The status the interpreter gives for ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


# -- the callers -------------------------------------------------------------------------------------------------

class ForkServer:
    """A running server and how to ask it for a command."""

    _shared: ForkServer | None = None

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="jejak-cli-")
        self.path = str(Path(self._dir.name) / "socket")
        env = {k: v for k, v in os.environ.items() if not k.startswith("JEJAK_")}
        self._process = subprocess.Popen([sys.executable, "-m", "tests.cli_forkserver", "serve", self.path],
                                         cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not os.path.exists(self.path):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the jejak fork server did not start")
            time.sleep(0.02)

    @classmethod
    def shared(cls) -> ForkServer:
        """This process's server, started on first use and stopped when the process exits."""
        if cls._shared is None or cls._shared._process.poll() is not None:
            cls._shared = cls()
            atexit.register(cls._shared.close)
        return cls._shared

    def close(self) -> None:
        """Stop the server."""
        self._process.terminate()
        self._process.wait(timeout=10)
        self._dir.cleanup()

    def run(self, args: list[str], env: dict[str, str], cwd: str | Path, timeout: float = 120
            ) -> subprocess.CompletedProcess[str]:
        """``subprocess.run(..., capture_output=True, text=True)`` of `jejak ARGS`."""
        with (tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err,
              open(os.devnull, "rb") as null):
            code = call(self.path, args, env, str(cwd), [null.fileno(), out.fileno(), err.fileno()], timeout)
            out.seek(0)
            err.seek(0)
            return subprocess.CompletedProcess(["jejak", *args], code, _text(out.read()), _text(err.read()))


def _text(data: bytes) -> str:
    """Output as ``text=True`` decodes it (universal newlines: a progress bar's carriage returns too)."""
    return data.decode().replace("\r\n", "\n").replace("\r", "\n")


def call(path: str, args: list[str], env: dict[str, str], cwd: str, fds: list[int], timeout: float | None) -> int:
    """Run a command through the server at ``path`` with these descriptors as its 0, 1 and 2; its exit status."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(path)
        _send(conn, {"args": args, "env": env, "cwd": cwd}, fds)
        started, _ = _receive(conn)
        if started is None:
            raise RuntimeError("the jejak fork server refused the command")
        try:
            ended, _ = _receive(conn)
        except TimeoutError:
            os.kill(started["pid"], signal.SIGKILL)
            raise subprocess.TimeoutExpired(["jejak", *args], timeout or 0) from None
        if ended is None:
            raise RuntimeError("the jejak fork server ended before the command")
        return int(ended["returncode"])


def main(argv: list[str]) -> int:
    """``serve SOCKET`` or ``run SOCKET ARGS...`` (the latter with this process's descriptors, environment and
    directory)."""
    if argv[:1] == ["serve"] and len(argv) == 2:
        serve(argv[1])
        return 0
    if argv[:1] == ["run"] and len(argv) >= 2:
        return call(argv[1], argv[2:], dict(os.environ), os.getcwd(), [0, 1, 2], None)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


"""Small process supervision for the local stack (Linux/POSIX only).

Contracts:

* Every process is started in a **new session** (``start_new_session=True``), so its pid is also its
  process-group id and :func:`terminate_group` reaches its children too.
* A supervised process named ``name`` under ``state_dir`` appends stdout+stderr to
  ``<state_dir>/logs/<name>.log`` and has its pid in ``<state_dir>/run/<name>.pid`` (first line: the
  pid; second line, when known: the kernel start time, to detect pid reuse).
* "Alive" means: the pid exists, is not a zombie, and (when recorded) has the recorded start time.
* Nothing here picks a default directory or port: callers pass them in.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

__all__ = [
    "ServerProcess",
    "free_port",
    "log_path",
    "pid_alive",
    "pid_path",
    "port_free",
    "read_pid",
    "spawn",
    "start_detached",
    "status",
    "stop",
    "tail",
    "terminate_group",
    "write_pid",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on ``host:port`` and it can be bound (a hint; racy by nature)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def log_path(name: str, state_dir: Path) -> Path:
    """``<state_dir>/logs/<name>.log``."""
    return state_dir / "logs" / f"{name}.log"


def pid_path(name: str, state_dir: Path) -> Path:
    """``<state_dir>/run/<name>.pid``."""
    return state_dir / "run" / f"{name}.pid"


def spawn(
    argv: Sequence[str],
    log_file: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` in a new session with stdin from /dev/null and stdout+stderr appended to ``log_file``.

    The parent directory of ``log_file`` is created. The caller owns the returned ``Popen``.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as out:
        return subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of ``/proc/<pid>/stat`` after the command name (index 0 is the state), or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rfind(")") + 2 :].split()


def _start_time(pid: int) -> str | None:
    fields = _proc_stat(pid)
    return fields[19] if fields and len(fields) > 19 else None


def _reap(pid: int) -> None:
    """Collect ``pid`` if it is our exited child, so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def pid_alive(pid: int, start_time: str | None = None) -> bool:
    """True when ``pid`` runs and is not a zombie; with ``start_time``, also when it is the same process."""
    if pid <= 0:
        return False
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    fields = _proc_stat(pid)
    if fields is None:
        return not Path("/proc/self/stat").exists()  # no procfs: trust kill(0)
    if fields[0] in ("Z", "X"):
        return False
    return start_time is None or (len(fields) > 19 and fields[19] == start_time)


def _group_alive(pgid: int) -> bool:
    """True while any non-zombie process is in process group ``pgid``."""
    _reap(pgid)
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _proc_stat(int(entry.name))
        if fields and len(fields) > 3 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            return True
    return False


def terminate_group(pid: int, timeout: float = 20.0) -> bool:
    """SIGTERM the process group led by ``pid``, wait up to ``timeout`` s, then SIGKILL it.

    Returns True when the group is gone afterwards. A group that is already gone is fine.
    """
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return True
        except PermissionError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _group_alive(pid):
                return True
            time.sleep(0.05)
    return not _group_alive(pid)


def write_pid(name: str, state_dir: Path, pid: int) -> Path:
    """Record ``pid`` (and its start time) as the process ``name``; returns the pid file."""
    path = pid_path(name, state_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = _start_time(pid)
    path.write_text(f"{pid}\n{started}\n" if started else f"{pid}\n")
    return path


def _read_pid_file(name: str, state_dir: Path) -> tuple[int, str | None] | None:
    try:
        lines = pid_path(name, state_dir).read_text().split()
    except OSError:
        return None
    if not lines or not lines[0].isdigit():
        return None
    return int(lines[0]), (lines[1] if len(lines) > 1 else None)


def read_pid(name: str, state_dir: Path) -> int | None:
    """The recorded pid of ``name`` if that process is alive, else None."""
    record = _read_pid_file(name, state_dir)
    if record is None or not pid_alive(*record):
        return None
    return record[0]


def start_detached(
    name: str,
    argv: Sequence[str],
    env: Mapping[str, str] | None,
    state_dir: Path,
    cwd: Path | None = None,
) -> int:
    """Start ``argv`` as the supervised process ``name``; returns its pid (also written to the pid file).

    The process outlives the caller: it is in its own session and nobody waits for it except
    :func:`stop`.
    """
    proc = spawn(argv, log_path(name, state_dir), env=env, cwd=cwd)
    write_pid(name, state_dir, proc.pid)
    return proc.pid


def stop(name: str, state_dir: Path, timeout: float = 20.0) -> bool:
    """Stop the process ``name`` (SIGTERM its group, wait ``timeout`` s, SIGKILL) and remove its pid file.

    Returns True when nothing of it is left running (also when it was not running). The pid file is
    kept when the process could not be stopped, so that ``status`` still shows it.
    """
    record = _read_pid_file(name, state_dir)
    gone = True
    if record is not None and pid_alive(*record):
        gone = terminate_group(record[0], timeout)
    if gone:
        pid_path(name, state_dir).unlink(missing_ok=True)
    return gone


def status(state_dir: Path) -> dict[str, int | None]:
    """``{name: pid or None}`` for every pid file under ``<state_dir>/run``; None means not alive."""
    run = state_dir / "run"
    if not run.is_dir():
        return {}
    return {path.stem: read_pid(path.stem, state_dir) for path in sorted(run.glob("*.pid"))}


def tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of a text file ("" if it does not exist); undecodable bytes replaced."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            data = handle.read()
    except OSError:
        return ""
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


class ServerProcess:
    """Base for a server child (Kafka, Redis): one process in its own session, output to ``log_path``.

    Subclasses set ``label`` and ``error`` (the exception class raised with the log tail), call
    :meth:`_launch` from ``start`` and :meth:`_wait_until` from ``wait_ready``.
    """

    label = "server"
    error: type[Exception] = RuntimeError

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path.resolve()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The process id (also its process group) once started, else None."""
        return self._proc.pid if self._proc is not None else None

    def _fail(self, message: str) -> Exception:
        return self.error(f"{message}; last lines of {self.log_path}:\n{tail(self.log_path, 40)}")

    def _launch(self, argv: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None) -> int:
        if self._proc is not None and self._proc.poll() is None:
            raise self.error(f"{self.label} already running (pid {self._proc.pid})")
        self._proc = spawn(argv, self.log_path, env=env, cwd=cwd)
        return self._proc.pid

    def _wait_until(self, probe: Callable[[], bool], timeout: float, where: str, interval: float) -> None:
        """Poll ``probe`` until it returns True; raise ``error`` if the process exits or on timeout.

        Exceptions from ``probe`` count as "not yet" and the last one is quoted in the timeout error.
        """
        if self._proc is None:
            raise self.error(f"{self.label} not started")
        deadline = time.monotonic() + timeout
        last: BaseException | None = None
        while True:
            code = self._proc.poll()
            if code is not None:
                raise self._fail(f"{self.label} exited with code {code} before it was ready")
            try:
                if probe():
                    return
            except Exception as error:
                last = error
            if time.monotonic() >= deadline:
                raise self._fail(f"{self.label} on {where} not ready after {timeout:.0f} s ({last!r})")
            time.sleep(interval)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM the process group, wait ``timeout`` s, then SIGKILL; idempotent."""
        if self._proc is None:
            return
        if not terminate_group(self._proc.pid, timeout):
            raise self.error(f"{self.label} (pid {self._proc.pid}) did not stop")
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout=5)

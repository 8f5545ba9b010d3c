"""A Redis server process on 127.0.0.1 for the local stack and the tests.

Contracts:

* :func:`ensure_redis_installed` returns the path of ``redis-server``, installing the Debian package
  when it is missing (as root, or through ``sudo -n``).
* :class:`RedisServer` binds 127.0.0.1 only, on the port it is given, keeps its files in ``data_dir``
  and logs to ``log_path``; it never picks a port or a directory by itself.
* Persistence: Redis holds read models that are rebuilt from Kafka, and idempotency keys that must
  survive a restart of the user's stack. ``persistent=True`` turns on the append-only file (no RDB
  snapshots); ``persistent=False`` (tests) keeps everything in memory only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import redis

from deploy.local import procs

__all__ = ["RedisError", "RedisServer", "ensure_redis_installed"]


class RedisError(RuntimeError):
    """Redis could not be installed, started or reached; the message says why."""


def _apt(args: list[str]) -> subprocess.CompletedProcess[str]:
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return subprocess.run(
        [*prefix, "apt-get", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def ensure_redis_installed() -> str:
    """Return the path of ``redis-server``; install the ``redis-server`` package with apt-get if needed.

    Tries the install first and runs ``apt-get update`` only when that fails (stale or empty lists).
    Raises :class:`RedisError` with apt's output when it still is not available.
    """
    found = shutil.which("redis-server")
    if found:
        return found
    if shutil.which("apt-get") is None:
        raise RedisError("redis-server is not installed and apt-get is not available; install Redis 7")
    print("正在安装 redis-server / installing redis-server with apt-get …", flush=True)
    install = ["install", "-y", "--no-install-recommends", "redis-server"]
    result = _apt(install)
    if result.returncode != 0:
        update = _apt(["update"])
        result = _apt(install) if update.returncode == 0 else update
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").is_file() else None
    )
    if result.returncode != 0 or found is None:
        output = "\n".join((result.stdout + result.stderr).splitlines()[-20:])
        raise RedisError(f"could not install redis-server (exit {result.returncode}):\n{output}")
    return found


class RedisServer(procs.ServerProcess):
    """One ``redis-server`` process on 127.0.0.1: ``start`` → ``wait_ready`` → ``stop``."""

    label = "redis-server"
    error = RedisError

    def __init__(
        self,
        data_dir: Path,
        port: int,
        log_path: Path,
        persistent: bool = False,
        executable: str | None = None,
    ) -> None:
        super().__init__(log_path)
        self.data_dir = data_dir.resolve()
        self.port = port
        self.persistent = persistent
        self.executable = executable

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def argv(self) -> list[str]:
        """The command line ``start`` runs."""
        exe = self.executable or shutil.which("redis-server") or "redis-server"
        argv = [exe, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.data_dir)]
        argv += ["--daemonize", "no", "--save", "", "--protected-mode", "yes", "--logfile", ""]
        argv += ["--appendonly", "yes" if self.persistent else "no"]
        return argv

    def start(self) -> int:
        """Launch the server and return its pid at once; raises :class:`RedisError` when the port is taken."""
        if not procs.port_free(self.port):
            raise RedisError(f"port 127.0.0.1:{self.port} is in use / 端口已被占用")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self._launch(self.argv(), cwd=self.data_dir)

    def ping(self) -> bool:
        """One PING with short timeouts; raises redis errors when unreachable."""
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1, socket_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()

    def wait_ready(self, timeout: float = 20) -> None:
        """Return once the server answers PING; raise :class:`RedisError` (with the log tail) otherwise."""
        self._wait_until(self.ping, timeout, f"127.0.0.1:{self.port}", interval=0.1)

"""Process supervision of the local stack (deploy.local.procs), and the CLI parts that need no servers."""

from __future__ import annotations

import dataclasses
import http.server
import os
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from deploy.local import cli, procs

SLEEP = [sys.executable, "-c", "import time; time.sleep(60)"]


def _wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_start_detached_writes_pid_file_and_log(tmp_path: Path) -> None:
    argv = [
        sys.executable,
        "-c",
        "import sys; print('out'); print('err', file=sys.stderr); sys.stdout.flush()",
    ]
    pid = procs.start_detached("echo", argv, None, tmp_path)
    assert procs.pid_path("echo", tmp_path).read_text().split()[0] == str(pid)
    assert _wait_for(lambda: not procs.pid_alive(pid))
    log = procs.log_path("echo", tmp_path).read_text()
    assert "out" in log
    assert "err" in log


def test_start_detached_appends_to_log(tmp_path: Path) -> None:
    for word in ("first", "second"):
        pid = procs.start_detached("say", ["echo", word], None, tmp_path)
        assert _wait_for(lambda pid=pid: not procs.pid_alive(pid))
    assert procs.log_path("say", tmp_path).read_text().split() == ["first", "second"]


def test_child_runs_in_its_own_session(tmp_path: Path) -> None:
    pid = procs.start_detached("sleep", SLEEP, None, tmp_path)
    try:
        assert os.getpgid(pid) == pid
        assert os.getsid(pid) == pid
        assert os.getsid(pid) != os.getsid(0)
    finally:
        assert procs.stop("sleep", tmp_path, timeout=5)


def test_status_and_stop(tmp_path: Path) -> None:
    pid = procs.start_detached("sleeper", SLEEP, {"PATH": os.environ["PATH"]}, tmp_path)
    assert procs.status(tmp_path) == {"sleeper": pid}
    assert procs.read_pid("sleeper", tmp_path) == pid

    assert procs.stop("sleeper", tmp_path, timeout=5)

    assert not procs.pid_alive(pid)
    assert not procs.pid_path("sleeper", tmp_path).exists()
    assert procs.status(tmp_path) == {}


def test_stop_reaches_the_whole_process_group(tmp_path: Path) -> None:
    argv = ["sh", "-c", "sleep 60 & echo $!; wait"]
    procs.start_detached("family", argv, None, tmp_path)
    log = procs.log_path("family", tmp_path)
    assert _wait_for(lambda: log.read_text().strip().isdigit())
    grandchild = int(log.read_text().strip())
    assert procs.pid_alive(grandchild)

    assert procs.stop("family", tmp_path, timeout=5)

    assert _wait_for(lambda: not procs.pid_alive(grandchild))


def test_stop_kills_what_ignores_sigterm(tmp_path: Path) -> None:
    argv = ["sh", "-c", "trap '' TERM; echo ready; sleep 60"]
    pid = procs.start_detached("stubborn", argv, None, tmp_path)
    assert _wait_for(lambda: "ready" in procs.log_path("stubborn", tmp_path).read_text())
    started = time.monotonic()

    assert procs.stop("stubborn", tmp_path, timeout=0.5)

    assert time.monotonic() - started < 5
    assert not procs.pid_alive(pid)
    assert procs.status(tmp_path) == {}


def test_stale_pid_file_reads_as_not_running(tmp_path: Path) -> None:
    pid = procs.start_detached("gone", ["true"], None, tmp_path)
    assert _wait_for(lambda: not procs.pid_alive(pid))
    assert procs.status(tmp_path) == {"gone": None}
    assert procs.stop("gone", tmp_path)
    assert procs.status(tmp_path) == {}


def test_recycled_pid_is_not_mistaken_for_ours(tmp_path: Path) -> None:
    path = procs.pid_path("imposter", tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(f"{os.getpid()}\n1\n")  # our pid, but a different start time
    assert procs.status(tmp_path) == {"imposter": None}
    assert procs.stop("imposter", tmp_path)  # must not signal this test process
    procs.write_pid("me", tmp_path, os.getpid())
    assert procs.read_pid("me", tmp_path) == os.getpid()


def test_stop_of_unknown_name_is_fine(tmp_path: Path) -> None:
    assert procs.stop("nothing", tmp_path)
    assert procs.status(tmp_path / "missing") == {}


def test_free_port_is_bindable() -> None:
    port = procs.free_port()
    assert 1024 <= port < 65536
    assert procs.port_free(port)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()
        assert not procs.port_free(port)


def test_tail(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    assert procs.tail(path) == ""
    path.write_text("".join(f"line {i}\n" for i in range(100)))
    assert procs.tail(path, 2) == "line 98\nline 99"


def test_settings_point_at_local_servers_unless_set() -> None:
    settings = cli.effective_settings({})
    assert settings.kafka_bootstrap == "127.0.0.1:19092"
    assert settings.redis_url == "redis://127.0.0.1:16379/0"
    custom = cli.effective_settings({"LINGONG_KAFKA_BOOTSTRAP": "k:1", "LINGONG_GATEWAY_PORT": "9000"})
    assert custom.kafka_bootstrap == "k:1"
    assert custom.redis_url == "redis://127.0.0.1:16379/0"
    assert custom.gateway_port == 9000


def test_settings_env_round_trip(tmp_path: Path) -> None:
    settings = cli.effective_settings({"LINGONG_TOPIC_PREFIX": "x-"})
    cli.write_settings_env(settings, tmp_path / "settings.env")
    assert (tmp_path / "settings.env").stat().st_mode & 0o077 == 0
    assert cli.read_settings_env(tmp_path) == settings


def test_down_stops_everything_recorded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pids = [procs.start_detached(name, SLEEP, None, tmp_path) for name in ("gateway", "streams", "extra")]
    assert cli.main(["down", "--state-dir", str(tmp_path)]) == 0
    assert not any(procs.pid_alive(pid) for pid in pids)
    assert procs.status(tmp_path) == {}
    assert "platform is down" in capsys.readouterr().out


def test_status_lists_components(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pid = procs.start_detached("gateway", SLEEP, None, tmp_path)
    try:
        assert cli.main(["status", "--state-dir", str(tmp_path)]) == 0
        out = capsys.readouterr().out
        assert "gateway" in out and str(pid) in out
        assert "19092" in out and "16379" in out
    finally:
        procs.stop("gateway", tmp_path, timeout=5)


def test_wipe_refuses_foreign_dirs_and_running_stacks(tmp_path: Path) -> None:
    (tmp_path / "precious").write_text("keep")
    assert cli.main(["wipe", "--state-dir", str(tmp_path)]) == 1
    assert (tmp_path / "precious").exists()

    state = tmp_path / "var"
    state.mkdir()
    (state / cli.STATE_MARKER).touch()
    procs.start_detached("redis", SLEEP, None, state)
    assert cli.main(["wipe", "--state-dir", str(state)]) == 1
    assert state.exists()
    assert cli.main(["down", "--state-dir", str(state)]) == 0
    assert cli.main(["wipe", "--state-dir", str(state)]) == 0
    assert not state.exists()


def test_logs_prints_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["logs", "--state-dir", str(tmp_path)]) == 1
    log = procs.log_path("gateway", tmp_path)
    log.parent.mkdir(parents=True)
    log.write_text("hello from gateway\n")
    assert cli.main(["logs", "gateway", "--state-dir", str(tmp_path)]) == 0
    assert "hello from gateway" in capsys.readouterr().out
    assert cli.main(["logs", "kafka", "--state-dir", str(tmp_path)]) == 1


def _start_apps(state_dir: Path, argv: list[str]) -> None:
    for name in cli.APPS:
        procs.start_detached(name, argv, None, state_dir)


def test_wait_healthy_reports_an_app_that_exits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _start_apps(tmp_path, ["sh", "-c", "echo boom-from-app; exit 3"])
    settings = dataclasses.replace(cli.effective_settings({}), gateway_port=procs.free_port())
    assert not cli.wait_healthy(settings, tmp_path, timeout=10)
    err = capsys.readouterr().err
    assert "exited" in err
    assert "boom-from-app" in err


def test_wait_healthy_returns_once_healthz_answers(tmp_path: Path) -> None:
    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _start_apps(tmp_path, SLEEP)
    try:
        settings = dataclasses.replace(cli.effective_settings({}), gateway_port=server.server_address[1])
        streams_log = procs.log_path("streams", tmp_path)
        streams_log.parent.mkdir(parents=True, exist_ok=True)
        streams_log.write_text("[^Worker]: Starting... \n")
        assert not cli.wait_healthy(settings, tmp_path, timeout=1.5), "ready before the stream worker was"
        with streams_log.open("a") as log:
            log.write("[^---Recovery]: Worker ready \n")
        assert cli.wait_healthy(settings, tmp_path, timeout=10)
    finally:
        server.shutdown()
        assert cli.main(["down", "--state-dir", str(tmp_path)]) == 0

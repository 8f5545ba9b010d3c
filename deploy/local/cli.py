"""``lingong``: start, inspect and stop the local stack (Redis, Kafka, stream worker, projector, gateway).

Contracts:

* Everything lives under ``--state-dir`` (default ``./var``): ``redis/`` and ``kafka/`` data,
  ``logs/<name>.log``, ``run/<name>.pid``, and ``settings.env`` (the effective ``LINGONG_*`` settings,
  mode 0600, as the app processes received them).
* Fixed loopback ports: Redis 16379, Kafka 19092 (controller 19093); the gateway's from the settings.
* ``up`` starts only what is not running (so it is a no-op on a running stack), creates the topics,
  and returns 0 once ``GET /healthz`` answers 200. ``down`` stops gateway, projector, streams, Kafka,
  Redis in that order and returns 1 if anything recorded is still alive afterwards.
* User-facing messages are Chinese first, then English.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import os
import shutil
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from deploy.local import procs
from deploy.local.kafka_broker import KafkaBroker, KafkaError, ensure_kafka_jars
from deploy.local.redis_server import RedisError, RedisServer, ensure_redis_installed
from services.settings import Settings, SettingsError
from services.topics import topic_specs

REDIS_PORT = 16379
KAFKA_PORT = 19092
KAFKA_CONTROLLER_PORT = 19093
HEALTH_TIMEOUT = 120.0
#: Marks a directory as a lingong state dir, so that ``wipe`` never deletes anything else.
STATE_MARKER = ".lingong-state"
#: Start order of the app processes; ``down`` stops them in reverse, then Kafka, then Redis.
APPS: dict[str, list[str]] = {
    "streams": [sys.executable, "-m", "streams", "worker", "-l", "info"],
    "projector": [sys.executable, "-m", "projector"],
    "gateway": [sys.executable, "-m", "gateway"],
}
STOP_ORDER = ["gateway", "projector", "streams", "kafka", "redis"]
STOP_TIMEOUT = {"kafka": 30.0, "redis": 10.0}
#: The project root (holds ``deploy/``, ``services/``…), put on the apps' PYTHONPATH.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def say(zh: str, en: str, *, err: bool = False) -> None:
    """Print one user-facing line, Chinese first."""
    print(f"{zh} / {en}", file=sys.stderr if err else sys.stdout, flush=True)


def effective_settings(environ: Mapping[str, str]) -> Settings:
    """Settings from ``environ``, pointed at the local Kafka and Redis unless ``environ`` sets them."""
    settings = Settings.from_environ(environ)
    changes: dict[str, str] = {}
    if "LINGONG_KAFKA_BOOTSTRAP" not in environ:
        changes["kafka_bootstrap"] = f"127.0.0.1:{KAFKA_PORT}"
    if "LINGONG_REDIS_URL" not in environ:
        changes["redis_url"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


def write_settings_env(settings: Settings, path: Path) -> None:
    """``KEY=VALUE`` lines of ``settings.to_environ()``, readable by the owner only (holds the key)."""
    path.write_text("".join(f"{k}={v}\n" for k, v in settings.to_environ().items()))
    path.chmod(0o600)


def read_settings_env(state_dir: Path) -> Settings:
    """The settings recorded by the last ``up``, or the effective defaults if there are none."""
    path = state_dir / "settings.env"
    if not path.is_file():
        return effective_settings({})
    known = {f"LINGONG_{field.name.upper()}" for field in dataclasses.fields(Settings)}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    # a setting an earlier version wrote and this one no longer has is left out, so `down` still works
    return Settings.from_environ({key: value for key, value in pairs if key in known})


def gateway_url(settings: Settings) -> str:
    host = settings.gateway_host if settings.gateway_host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    return f"http://{host}:{settings.gateway_port}/"


def app_env(settings: Settings) -> dict[str, str]:
    """os.environ + the settings + the project root on PYTHONPATH (apps run with cwd = state dir)."""
    env = dict(os.environ)
    env.update(settings.to_environ())
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "healthz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _print_tail(name: str, state_dir: Path) -> None:
    path = procs.log_path(name, state_dir)
    print(f"--- {path} ---\n{procs.tail(path, 40)}\n---", file=sys.stderr)


def wait_healthy(settings: Settings, state_dir: Path, timeout: float = HEALTH_TIMEOUT) -> bool:
    """Wait for ``GET /healthz`` = 200; on a dead app or a timeout print that log's tail, return False."""
    deadline = time.monotonic() + timeout
    url = gateway_url(settings)
    while time.monotonic() < deadline:
        for name in APPS:
            if procs.read_pid(name, state_dir) is None:
                say(f"进程 {name} 已退出", f"process {name} exited", err=True)
                _print_tail(name, state_dir)
                return False
        if _healthy(url) and _streams_ready(state_dir):
            return True
        time.sleep(0.5)
    say("网关或流处理未在时限内就绪", f"gateway or stream worker not ready after {timeout:.0f} s", err=True)
    _print_tail("gateway", state_dir)
    return False


def _streams_ready(state_dir: Path) -> bool:
    """The stream worker has joined its group and restored its tables (after a restart this can take as long
    as the broker's session timeout, while the previous member's session expires)."""
    log = procs.log_path("streams", state_dir)
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return False
    last_start = text.rfind("[^Worker]: Starting")
    return "Worker ready" in text[max(last_start, 0) :]


def _start_servers(settings: Settings, state_dir: Path, running: Mapping[str, int | None]) -> None:
    logs = state_dir / "logs"
    if running.get("redis") is None:
        executable = ensure_redis_installed()
        server = RedisServer(state_dir / "redis", REDIS_PORT, logs / "redis.log", True, executable)
        procs.write_pid("redis", state_dir, server.start())
        server.wait_ready()
        say("Redis 已就绪", f"Redis ready on 127.0.0.1:{REDIS_PORT}")
    jars = ensure_kafka_jars()
    broker = KafkaBroker(state_dir / "kafka", KAFKA_PORT, KAFKA_CONTROLLER_PORT, logs / "kafka.log", jars)
    if running.get("kafka") is None:
        procs.write_pid("kafka", state_dir, broker.start())
        broker.wait_ready()
        say("Kafka 已就绪", f"Kafka ready on {broker.bootstrap}")
    created = broker.create_topics(topic_specs(settings))
    if created:
        say("已创建主题: " + ", ".join(created), "created topics: " + ", ".join(created))


def cmd_up(state_dir: Path, demo: bool) -> int:
    running = procs.status(state_dir)
    if all(running.get(name) for name in STOP_ORDER):
        say("平台已在运行", "platform is already running")
        if demo:
            say("未重新加载演示数据", "demo data not reloaded")
        return cmd_status(state_dir)
    if any(running.values()) and (state_dir / "settings.env").is_file():
        settings = read_settings_env(state_dir)  # restart what died with what the others run with
    else:
        settings = effective_settings(os.environ)
    if settings.kafka_bootstrap != f"127.0.0.1:{KAFKA_PORT}" or settings.redis_url != (
        f"redis://127.0.0.1:{REDIS_PORT}/0"
    ):
        say("注意: 设置指向其他 Kafka/Redis", "note: the settings point the apps at another Kafka/Redis")
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / STATE_MARKER).touch()
    write_settings_env(settings, state_dir / "settings.env")
    try:
        _start_servers(settings, state_dir, running)
    except (KafkaError, RedisError) as error:
        say("启动失败", f"start failed: {error}", err=True)
        say("可运行 lingong down 清理", "run `lingong down` to clean up", err=True)
        return 1
    env = app_env(settings)
    for name, argv in APPS.items():
        if running.get(name) is None:
            procs.start_detached(name, argv, env, state_dir, cwd=state_dir)
    if not wait_healthy(settings, state_dir):
        say("可查看 lingong logs，或运行 lingong down", "see `lingong logs`, or run `lingong down`", err=True)
        return 1
    say("平台已启动", "platform is up")
    print(f"  网关 / gateway: {gateway_url(settings)}")
    if demo:
        demo_module = importlib.import_module("deploy.local.demo")  # written separately; only when asked
        try:
            lines = demo_module.load(settings)
        except Exception as error:  # the stack is up; report the demo failure without a traceback
            say("演示数据加载失败", f"loading demo data failed: {error!r}", err=True)
            say("可查看 lingong logs projector", "see `lingong logs projector`", err=True)
            return 1
        for line in lines:
            print(f"  {line}")
    say("查看状态: lingong status", "status: lingong status")
    say("停止: lingong down", "stop: lingong down")
    return 0


def cmd_down(state_dir: Path) -> int:
    recorded = procs.status(state_dir)
    names = STOP_ORDER + sorted(set(recorded) - set(STOP_ORDER))
    for name in names:
        if name not in recorded:
            continue
        was_running = recorded[name] is not None
        if procs.stop(name, state_dir, STOP_TIMEOUT.get(name, 20.0)) and was_running:
            say(f"已停止 {name}", f"stopped {name}")
    left = {name: pid for name, pid in procs.status(state_dir).items() if pid is not None}
    if left:
        listed = ", ".join(f"{name} (pid {pid})" for name, pid in left.items())
        say(f"仍在运行: {listed}", f"still running: {listed}", err=True)
        return 1
    say("平台已停止", "platform is down")
    return 0


def cmd_status(state_dir: Path) -> int:
    recorded = procs.status(state_dir)
    settings = read_settings_env(state_dir)
    ports = {
        "redis": str(REDIS_PORT),
        "kafka": f"{KAFKA_PORT} (controller {KAFKA_CONTROLLER_PORT})",
        "gateway": str(settings.gateway_port),
    }
    names = STOP_ORDER[::-1] + sorted(set(recorded) - set(STOP_ORDER))
    print(f"{'名称/name':<12}{'pid':>8}  {'运行/alive':<11}端口/port")
    for name in names:
        pid = recorded.get(name)
        alive = "yes" if pid else "no"
        print(f"{name:<12}{pid or '-':>8}  {alive:<11}{ports.get(name, '-')}")
    print(f"状态目录 / state dir: {state_dir}")
    if recorded.get("gateway"):
        print(f"网关 / gateway: {gateway_url(settings)}")
    return 0


def _follow(paths: Sequence[Path]) -> None:
    offsets = {path: path.stat().st_size if path.exists() else 0 for path in paths}
    current: Path | None = None
    while True:
        for path in paths:
            try:
                size = path.stat().st_size
            except OSError:
                continue
            if size < offsets[path]:
                offsets[path] = 0  # truncated or wiped
            if size == offsets[path]:
                continue
            with open(path, "rb") as handle:
                handle.seek(offsets[path])
                data = handle.read()
            offsets[path] += len(data)
            if len(paths) > 1 and current != path:
                print(f"\n==> {path.name} <==", flush=True)
            current = path
            sys.stdout.write(data.decode("utf-8", "replace"))
            sys.stdout.flush()
        time.sleep(0.5)


def cmd_logs(state_dir: Path, name: str | None, follow: bool) -> int:
    logs = state_dir / "logs"
    if name is not None:
        paths = [procs.log_path(name, state_dir)]
        if not paths[0].is_file():
            say(f"没有 {name} 的日志", f"no log for {name} in {logs}", err=True)
            return 1
    else:
        paths = sorted(logs.glob("*.log")) if logs.is_dir() else []
        if not paths:
            say("还没有日志", f"no logs yet in {logs}", err=True)
            return 1
    for path in paths:
        if len(paths) > 1:
            print(f"==> {path.name} <==")
        sys.stdout.write(path.read_text(errors="replace"))
    sys.stdout.flush()
    if follow:
        with contextlib.suppress(KeyboardInterrupt):
            _follow(paths)
    return 0


def cmd_wipe(state_dir: Path) -> int:
    if not state_dir.exists():
        say("无需清除", f"nothing to wipe at {state_dir}")
        return 0
    if not (state_dir / STATE_MARKER).is_file():
        say(
            "这不是 lingong 的状态目录，拒绝删除",
            f"{state_dir} is not a lingong state dir; refusing",
            err=True,
        )
        return 1
    alive = [name for name, pid in procs.status(state_dir).items() if pid is not None]
    if alive:
        say("请先运行 lingong down", f"still running ({', '.join(alive)}); run `lingong down` first", err=True)
        return 1
    shutil.rmtree(state_dir)
    say("已清除本地数据", f"wiped {state_dir}")
    return 0


def cmd_rebuild(state_dir: Path) -> int:
    """Wipe the read models and replay Kafka from the start (the stack must be up; send no commands meanwhile)."""
    import asyncio

    from projector.rebuild import rebuild

    settings = read_settings_env(state_dir)
    wiped = asyncio.run(rebuild(settings))
    say("读模型已重建", f"read models rebuilt ({wiped} keys wiped, Kafka replayed from the start)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--state-dir", type=Path, default=Path("var"), help="state directory (default: ./var)")
    parser = argparse.ArgumentParser(prog="lingong", description="零工平台本地环境 / lingong local stack")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", parents=[common], help="启动 / start the stack")
    up.add_argument("--demo", action="store_true", help="load demo data / 加载演示数据")
    sub.add_parser("down", parents=[common], help="停止 / stop the stack")
    sub.add_parser("status", parents=[common], help="状态 / show processes")
    logs = sub.add_parser("logs", parents=[common], help="日志 / print logs")
    logs.add_argument("name", nargs="?", help="redis, kafka, streams, projector or gateway")
    logs.add_argument("-f", "--follow", action="store_true", help="follow / 持续输出")
    sub.add_parser("wipe", parents=[common], help="清除数据 / delete the state dir (stack must be down)")
    admin = sub.add_parser(
        "create-admin", parents=[common], help="创建市级管理员 / create a city administrator (password from stdin)"
    )
    admin.add_argument("--login", required=True, help="login name / 登录名")
    admin.add_argument("--name", default="市级管理员", help="display name / 显示名称")
    sub.add_parser("rebuild", parents=[common], help="重建读模型 / wipe the read models and replay Kafka")
    tool = sub.add_parser(
        "kafka-tool",
        parents=[common],
        help="Kafka 运维命令 / Kafka's operator commands: topics, groups (lag), quorum, offsets, log-dirs, cluster",
    )
    tool.add_argument("tool", help="topics, groups, quorum, offsets, log-dirs or cluster")
    tool.add_argument("arguments", nargs=argparse.REMAINDER, help="passed to the tool (e.g. --list)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lingong`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    state_dir: Path = args.state_dir.resolve()
    try:
        if args.command == "up":
            return cmd_up(state_dir, args.demo)
        if args.command == "down":
            return cmd_down(state_dir)
        if args.command == "status":
            return cmd_status(state_dir)
        if args.command == "logs":
            return cmd_logs(state_dir, args.name, args.follow)
        if args.command == "create-admin":
            from deploy.local import admin

            status, zh, en = admin.run(read_settings_env(state_dir), login=args.login, name=args.name, stdin=sys.stdin)
            say(zh, en, err=status != 0)
            return status
        if args.command == "rebuild":
            return cmd_rebuild(state_dir)
        if args.command == "kafka-tool":
            from deploy.local import kafka_tools

            return kafka_tools.run(args.tool, args.arguments, read_settings_env(state_dir).kafka_bootstrap)
        return cmd_wipe(state_dir)
    except SettingsError as error:
        say("配置错误", f"bad setting: {error}", err=True)
        return 2
    except KeyboardInterrupt:
        say("已中断", "interrupted", err=True)
        return 130


if __name__ == "__main__":
    sys.exit(main())

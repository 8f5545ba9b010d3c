"""Accounts end to end: ``lingong create-admin``, staff accounts, employer self-registration, sign-in."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from deploy.local.cli import build_parser, write_settings_env
from services import topics
from services.people import accounts, records
from services.readmodels import keys
from services.settings import Settings
from tests.integration.account_support import (
    PASSWORD,
    bearer,
    new_phone,
    register_company,
    register_individual,
    sign_in,
)
from tests.support.kafka_reader import read_topic
from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]


def _create_admin(state_dir: Path, login: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deploy.local.cli", "create-admin", "--state-dir", str(state_dir), "--login", login],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def admin_login(platform: Settings, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A city administrator made by ``lingong create-admin`` (password on stdin) against the session's stack."""
    state_dir = tmp_path_factory.mktemp("state")
    write_settings_env(platform, state_dir / "settings.env")
    login = f"admin{uuid.uuid4().hex[:8]}"
    done = _create_admin(state_dir, login, "admin-password-123\n")
    assert done.returncode == 0, done.stderr
    assert login in done.stdout and "admin-password-123" not in done.stdout + done.stderr
    return login


def test_create_admin_takes_no_password_on_the_command_line(tmp_path: Path, platform: Settings) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["create-admin", "--login", "x", "--password", "secret-secret"])
    write_settings_env(platform, tmp_path / "settings.env")
    short = _create_admin(tmp_path, "other", "short\n")
    assert short.returncode == 1 and "密码长度" in short.stderr


async def test_the_first_administrator_signs_in_and_creates_staff(
    gateway: TestClient, platform: Settings, admin_login: str
) -> None:
    login = admin_login
    client = aioredis.Redis.from_url(platform.redis_url)
    try:  # wait for the projector first: sign-in attempts are throttled per account

        async def projected() -> bool:
            key = keys.account(platform.topic_prefix, accounts.account_id(f"user:{login}"))
            return await client.exists(key) == 1

        await eventually(projected, what="administrator projected")
    finally:
        await client.aclose()
    admin = await sign_in(gateway, login, "admin-password-123")
    assert admin["role"] == "admin" and admin["county"] is None and admin["token_type"] == "Bearer"
    officer_login = f"pz{uuid.uuid4().hex[:8]}"
    body = {
        "login": officer_login,
        "name": "盘州市就业局 王",
        "password": PASSWORD,
        "role": "officer",
        "county": "panzhou",
        "phone": new_phone(),
    }
    created = await gateway.post("/api/v1/accounts", json=body, headers=bearer(admin["token"]))
    assert created.status == 200, await created.text()
    answer = await created.json()
    assert answer["county"] == "panzhou" and answer["phone_masked"].count("*") == 4
    taken = await gateway.post("/api/v1/accounts", json=body, headers=bearer(admin["token"]))
    assert taken.status == 409 and (await taken.json())["errors"][0]["field"] == "login"
    officer = await sign_in(gateway, officer_login.upper())
    assert officer["role"] == "officer" and officer["county"] == "panzhou"

    registry = await read_topic(platform.kafka_bootstrap, platform.topic(topics.REGISTRY))
    decoded = [records.decode_registry(m.value) for m in registry if m.value]
    mine = [r for r in decoded if isinstance(r, records.AccountRegistered) and r.account_id == answer["account_id"]]
    assert mine and mine[0].password_hash and mine[0].password_hash.startswith("$argon2id$")
    assert PASSWORD not in str(mine[0]) and mine[0].phone_pseudonym and mine[0].phone_pseudonym.startswith("p_")


async def test_employers_register_by_credit_code_or_id_number_and_sign_in(gateway: TestClient) -> None:
    code, company = await register_company(gateway, phone=new_phone())
    assert company["role"] == "employer" and company["phone_masked"]
    again = await gateway.post(
        "/api/v1/employers", json={"kind": "company", "credit_code": code, "name": "冒名", "password": PASSWORD}
    )
    assert again.status == 409 and (await again.json())["error"] == "login_taken"
    assert (await sign_in(gateway, code.lower()))["account_id"] == company["account_id"]

    number, _, person = await register_individual(gateway)
    assert person["id_masked"] == number[:4] + "*" * 10 + number[-4:]
    session = await sign_in(gateway, number)
    assert session["role"] == "employer" and session["account_id"] == person["account_id"]

    wrong = await gateway.post("/api/v1/sessions", json={"login": number, "password": "not-the-password"})
    unknown = await gateway.post("/api/v1/sessions", json={"login": "nobody-here", "password": "not-the-password"})
    assert wrong.status == unknown.status == 401
    assert (await wrong.json())["message_zh"] == (await unknown.json())["message_zh"]


async def test_bad_registrations_name_the_field_and_rule(gateway: TestClient) -> None:
    answer = await gateway.post(
        "/api/v1/employers", json={"kind": "company", "credit_code": "91520200MA6DX12340", "name": "x", "password": "s"}
    )
    assert answer.status == 422
    found = {(e["field"], e["rule"]) for e in (await answer.json())["errors"]}
    assert ("password", "password_length") in found and any(f == "credit_code" for f, _ in found)

"""``lingong create-admin``: the first city administrator's account, published to the registry topic.

The password is read from the terminal (asked twice, not echoed) or, when stdin is not a terminal, from the
first line of stdin — never from the command line, where other users and the shell history would see it.
"""

from __future__ import annotations

import asyncio
import getpass
from typing import TextIO

from services.adapters.registry import create_admin
from services.errors import InvalidInput
from services.settings import Settings


class PasswordMismatch(ValueError):
    """The two passwords typed differ."""


def read_password(stdin: TextIO) -> str:
    """The new password: prompted twice on a terminal, else the first line of ``stdin`` (newline removed)."""
    if stdin.isatty():
        first = getpass.getpass("新密码 / new password: ")
        if getpass.getpass("再输入一次 / repeat: ") != first:
            raise PasswordMismatch("the passwords differ")
        return first
    return stdin.readline().rstrip("\r\n")


def run(settings: Settings, *, login: str, name: str, stdin: TextIO) -> tuple[int, str, str]:
    """Create the account; ``(exit status, message zh, message en)``."""
    try:
        password = read_password(stdin)
    except PasswordMismatch:
        return 1, "两次输入的密码不一致", "the two passwords differ"
    try:
        account_id = asyncio.run(create_admin(settings, login=login, display_name=name, password=password))
    except InvalidInput as error:
        zh = "；".join(e.message_zh for e in error.errors)
        en = "; ".join(e.message_en for e in error.errors)
        return 1, zh, en
    return 0, f"已创建市级管理员 {login}（{account_id}）", f"created the city administrator {login} ({account_id})"

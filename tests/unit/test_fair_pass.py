"""The worker's fair pass: signed, short-lived, never the raw ID number."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.errors import InvalidInput
from services.fairs import passes as fair_pass

KEY = b"a test pseudonym key, 32 bytes.."
NOW = datetime(2026, 11, 26, 0, 30, tzinfo=UTC)


def _rule(text: object, now: datetime = NOW, key: bytes = KEY) -> str:
    with pytest.raises(InvalidInput) as raised:
        fair_pass.verify(text, now=now, pseudonym_key=key)
    return raised.value.errors[0].rule


def test_a_pass_gives_back_the_pseudonym_and_masked_number_until_it_expires() -> None:
    text = fair_pass.issue("w_abc", "5202**********1234", now=NOW, pseudonym_key=KEY)
    assert text.startswith("LGP1.")
    found = fair_pass.verify(text, now=NOW + timedelta(minutes=14), pseudonym_key=KEY)
    assert (found.worker, found.worker_masked) == ("w_abc", "5202**********1234")
    assert found.expires_at == NOW + fair_pass.LIFETIME
    assert _rule(text, now=NOW + fair_pass.LIFETIME) == "pass_expired"


def test_a_changed_byte_another_key_or_not_a_pass_is_refused() -> None:
    text = fair_pass.issue("w_abc", "5202**********1234", now=NOW, pseudonym_key=KEY)
    head, payload, signature = text.split(".")
    forged = fair_pass.issue("w_other", "5202**********9999", now=NOW, pseudonym_key=b"another key entirely!!")
    assert _rule(f"{head}.{forged.split('.')[1]}.{signature}") == "pass_invalid"
    assert _rule(text, key=b"another key entirely!!") == "pass_invalid"
    for junk in ("", "520201199001011234", "LGP1.x", None, 42, f"LGP2.{payload}.{signature}"):
        assert _rule(junk) == "pass_invalid"


def test_the_pass_does_not_hold_the_id_number() -> None:
    text = fair_pass.issue("w_abc", "5202**********1234", now=NOW, pseudonym_key=KEY)
    assert "520201199001011234" not in text

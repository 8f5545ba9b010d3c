"""The bearer token of a request (gateway/auth.py)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request

from gateway.auth import bearer_token
from gateway.problems import ApiError


def test_the_token_after_bearer() -> None:
    request = make_mocked_request("GET", "/api/v1/dashboard", headers={"Authorization": "Bearer  abc-123 "})
    assert bearer_token(request) == "abc-123"


@pytest.mark.parametrize(
    "header",
    ["", "Basic abc", "Bearer ", "Bearer 令牌", "Bearer a\x01b"],  # bytes not UTF-8 decode to non-ASCII too
)
def test_a_missing_or_impossible_token_is_a_401(header: str) -> None:
    request = make_mocked_request("GET", "/api/v1/dashboard", headers={"Authorization": header})
    with pytest.raises(ApiError) as refused:
        bearer_token(request)
    assert refused.value.status == 401
    assert refused.value.field == "Authorization"

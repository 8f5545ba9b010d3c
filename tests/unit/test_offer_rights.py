"""Who may answer an offer: the kiosk of its market (checked by the handler), or the worker's phone signed
in for the offer's own check-in."""

from __future__ import annotations

from gateway.views.offers import _may_answer
from services.people.principal import Principal

OFFER = {"offer_id": "o1", "checkin_id": "c1", "market_id": "m1"}


def test_a_phone_answers_only_its_own_check_ins_offer() -> None:
    assert _may_answer(Principal("worker", "c1", "5202**********1234", "m1"), OFFER)
    assert not _may_answer(Principal("worker", "c2", "5202**********9999", "m1"), OFFER)


def test_a_kiosk_answers_any_offer_it_is_shown() -> None:
    assert _may_answer(Principal("kiosk", "kiosk-m1", "测试机", "m1"), OFFER)

"""The trade catalogue: what a worker can do and a job asks for, as one table of frozen rows.

It holds the city's labour brands (凉都电工, 凉都护理工, 凉都矿工, 凉都羊汤工 and the three 凉都三宝工 trades:
kiwi, 刺梨, tea) and common day work. ``code`` is the stable key on the wire (lowercase ASCII, ``a-z0-9_``);
names are for pages; ``pictogram`` is one emoji for kiosk buttons; ``certificate`` names the certificate the
trade requires, if any.

Rule codes of :func:`parse_trades`: ``trades_type``, ``trades_required``, ``trades_too_many``,
``trade_unknown``, ``trades_duplicate``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from services.errors import FieldError, InvalidInput


@dataclasses.dataclass(frozen=True, slots=True)
class Trade:
    """One trade. ``brand`` marks the city's labour brands (凉都…工)."""

    code: str
    name_zh: str
    name_en: str
    pictogram: str
    certificate: str | None
    brand: bool


TRADES: tuple[Trade, ...] = (
    # Labour brands (附件2 (三)).
    Trade("electrician", "凉都电工", "Electrician", "💡", "电工证（特种作业操作证）", True),
    Trade("care_worker", "凉都护理工", "Care worker", "👵", "养老护理员证", True),
    Trade("miner", "凉都矿工", "Miner", "⛏️", "矿山特种作业证", True),
    Trade("mutton_soup_cook", "凉都羊汤工", "Mutton soup cook", "🍲", "健康证", True),
    Trade("kiwi_grower", "猕猴桃采摘/管护", "Kiwi picking and orchard care", "🥝", None, True),
    Trade("rosa_roxburghii_picker", "刺梨采摘", "Chestnut rose (cili) picking", "🌹", None, True),
    Trade("tea_picker", "茶叶采摘", "Tea picking", "🍵", None, True),
    # Common day work.
    Trade("mason", "泥瓦工", "Mason / bricklayer", "🧱", None, False),
    Trade("porter", "搬运/装卸", "Porter / loader", "📦", None, False),
    Trade("cleaner", "保洁", "Cleaner", "🧹", None, False),
    Trade("kitchen_hand", "厨工", "Kitchen hand", "🍳", "健康证", False),
    Trade("welder", "焊工", "Welder", "🔥", "焊工证", False),
    Trade("carpenter", "木工", "Carpenter", "🔨", None, False),
    Trade("rebar_worker", "钢筋工", "Rebar worker", "🏗️", None, False),
    Trade("painter", "油漆工", "Painter", "🎨", None, False),
    Trade("plumber_electrician", "水电工", "Plumbing and wiring fitter", "🔧", None, False),
    Trade("housekeeper", "家政", "Housekeeper", "🏠", None, False),
    Trade("picker", "采摘", "Fruit and crop picking", "🧺", None, False),
    Trade("driver", "司机", "Driver", "🚚", "驾驶证", False),
    Trade("security_guard", "保安", "Security guard", "🛡️", None, False),
    Trade("gardener", "绿化", "Gardening / landscaping", "🌳", None, False),
    Trade("general_labourer", "普工", "General labourer", "👷", None, False),
)

TRADES_BY_CODE: Mapping[str, Trade] = MappingProxyType({t.code: t for t in TRADES})


def trade(code: str) -> Trade:
    """The trade with this code; :class:`KeyError` if there is none."""
    return TRADES_BY_CODE[code]


def parse_trades(codes: object, *, field: str = "trades", max_count: int = 5) -> tuple[str, ...]:
    """Check a list of trade codes and return them in the given order.

    Codes must match exactly (no case folding). Raises :class:`InvalidInput` naming ``field``:
    ``trades_type`` (not a list or tuple of strings; alone), ``trades_required`` (empty; alone), else every
    one of ``trades_too_many`` (more than ``max_count``), ``trade_unknown`` (one error per unknown code,
    naming it) and ``trades_duplicate`` (naming the repeated codes).
    """
    if not isinstance(codes, list | tuple) or not all(isinstance(code, str) for code in codes):
        raise InvalidInput(
            FieldError(field, "trades_type", "工种应为工种代码列表", "Trades must be a list of trade codes")
        )
    given: tuple[str, ...] = tuple(codes)
    if not given:
        raise InvalidInput(FieldError(field, "trades_required", "请至少选择一个工种", "Choose at least one trade"))
    errors: list[FieldError] = []
    if len(given) > max_count:
        errors.append(
            FieldError(
                field,
                "trades_too_many",
                f"最多选择{max_count}个工种",
                f"Choose at most {max_count} trades",
            )
        )
    for code in dict.fromkeys(given):
        if code not in TRADES_BY_CODE:
            errors.append(
                FieldError(
                    field,
                    "trade_unknown",
                    f"未知工种：{_shown(code)}",
                    f"Unknown trade: {_shown(code)}",
                )
            )
    repeated = [code for code in dict.fromkeys(given) if given.count(code) > 1]
    if repeated:
        names = ", ".join(_shown(code) for code in repeated)
        errors.append(
            FieldError(
                field,
                "trades_duplicate",
                f"工种重复：{names}",
                f"Trade listed more than once: {names}",
            )
        )
    if errors:
        raise InvalidInput(errors)
    return given


def _shown(code: str) -> str:
    """A code as quoted in a message, cut short so that a long input cannot flood the answer."""
    return repr(code if len(code) <= 40 else code[:40] + "…")

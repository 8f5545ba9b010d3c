"""CSV export: UTF-8 with a byte-order mark, so that Excel opens the Chinese text; headers in Chinese and English."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

BOM = "\ufeff"

HEADERS: Mapping[str, str] = {
    "key": "分组 key",
    "checkins": "登记人次 check-ins",
    "unique_workers": "登记人数 unique workers",
    "requests": "用工需求 requests",
    "positions": "岗位数 positions",
    "offers": "派单 offers",
    "acceptances": "接受 acceptances",
    "placements": "上岗 placements",
    "no_shows": "未到岗 no-shows",
    "completed": "完工 completed",
    "wages_paid": "已付工资 wages paid",
    "fairs_held": "举办招聘会 fairs held",
    "attendance": "入场人次 attendance",
    "intents": "达成意向 intents",
    "hires": "招聘会录用 hires",
    "fill_rate": "满足率 fill rate",
    "time_to_fill_p50": "补岗用时P50(秒) time to fill p50 (s)",
    "time_to_fill_p90": "补岗用时P90(秒) time to fill p90 (s)",
    "wage_paid_rate": "工资支付率 wage-paid rate",
}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    text = str(value)
    # A cell starting with = + - @ would be a formula in a spreadsheet: quote it as text.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], headers: Mapping[str, str] = HEADERS) -> bytes:
    """The rows as CSV bytes: a BOM, one header line, one line per row (``None`` as an empty cell)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([headers.get(c, c) for c in columns])
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")

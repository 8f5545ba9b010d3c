"""Local time of Liupanshui: every day, week, month and quarter boundary is Asia/Shanghai (UTC+8, no DST).

Nothing here reads the clock: instants are parameters, always timezone-aware; naive datetimes raise
:class:`ValueError` rather than being guessed at. Instants are returned in UTC.

Rule code of :func:`parse_hhmm`: ``time_format``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.errors import FieldError, InvalidInput

ZONE = ZoneInfo("Asia/Shanghai")
#: Since this instant (the end of China's last daylight-saving summer, 1991) Asia/Shanghai has been UTC+8 without
#: change: :func:`local_date` counts days from the epoch instead of asking the zone database (a fifth of the
#: projector's time in its report views went to ``astimezone``).
_FIXED_OFFSET_SINCE = datetime(1992, 1, 1, tzinfo=UTC)
#: Local midnight of 1992-01-01 as an instant: whole days since it are whole local days (exact: no floats).
_LOCAL_EPOCH = datetime(1992, 1, 1, tzinfo=UTC) - timedelta(hours=8)
_LOCAL_EPOCH_ORDINAL = date(1992, 1, 1).toordinal()
MINUTES_PER_DAY = 24 * 60
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
#: What a wall-clock time may be written as (the OpenAPI document's pattern too): ``HH:MM`` in ASCII or full
#: width (``０６：３０``), whitespace around it allowed; nothing else NFKC would turn into digits or a colon.
TIME_PATTERN = r"^\s*(?:[01０１][0-9０-９]|[2２][0-3０-３])[:：][0-5０-５][0-9０-９]\s*$"
_TIME_WRITTEN = re.compile(TIME_PATTERN)
#: What a calendar date may be written as (the OpenAPI document's pattern too): ``YYYY-MM-DD`` in ASCII or full
#: width, whitespace around it allowed; not the other forms ``date.fromisoformat`` reads (``20261126``,
#: ``2026-W48-4``).
DATE_PATTERN = r"^\s*[0-9０-９]{4}[-－][0-9０-９]{2}[-－][0-9０-９]{2}\s*$"
_DATE_WRITTEN = re.compile(DATE_PATTERN)


def parse_written_date(raw: object) -> date:
    """The date written as :data:`DATE_PATTERN` allows (full width read as ASCII); :class:`ValueError` for
    anything else, a non-string or a day that does not exist."""
    if not isinstance(raw, str) or _DATE_WRITTEN.match(raw) is None:
        raise ValueError("not a date written YYYY-MM-DD")
    return date.fromisoformat(unicodedata.normalize("NFKC", raw).strip())


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a naive datetime has no place in time; pass an aware one")


def local_date(at: datetime) -> date:
    """The calendar date in Liupanshui at the instant ``at``.

    Raises :class:`ValueError` if ``at`` is naive.
    """
    _require_aware(at)
    if at >= _FIXED_OFFSET_SINCE:
        return date.fromordinal(_LOCAL_EPOCH_ORDINAL + (at - _LOCAL_EPOCH).days)
    return at.astimezone(ZONE).date()


def parse_hhmm(raw: object, field: str) -> int:
    """Minutes since local midnight for a wall-clock time written ``HH:MM`` (``"06:30"`` → 390).

    Exactly two digits each, ``00:00`` to ``23:59`` (what ``<input type="time">`` sends); surrounding space is
    ignored and full-width input (``０６：３０``) is read as ASCII (:data:`TIME_PATTERN`). Raises
    :class:`InvalidInput` naming ``field`` with rule ``time_format`` otherwise (``"24:00"``, ``"6:3"``,
    ``"25:00"``, ``"²3:00"``, non-strings).
    """
    written = isinstance(raw, str) and _TIME_WRITTEN.match(raw) is not None
    text = unicodedata.normalize("NFKC", raw).strip() if written else ""  # type: ignore[arg-type]
    found = _HHMM.fullmatch(text)
    if found is None:
        raise InvalidInput(
            FieldError(
                field,
                "time_format",
                "时间格式应为 HH:MM，例如 06:30",
                "Time must be written HH:MM, for example 06:30",
            )
        )
    return int(found.group(1)) * 60 + int(found.group(2))


def format_hhmm(minutes: int) -> str:
    """``HH:MM`` for minutes since midnight, the inverse of :func:`parse_hhmm`.

    Raises :class:`ValueError` outside ``0 <= minutes < 1440``.
    """
    if not 0 <= minutes < MINUTES_PER_DAY:
        raise ValueError(f"minutes since midnight out of range: {minutes}")
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def local_midnight_utc(day: date) -> datetime:
    """The instant, in UTC, at which ``day`` begins in Liupanshui (16:00 UTC the day before)."""
    return datetime.combine(day, time(0), tzinfo=ZONE).astimezone(UTC)


def end_of_local_day_utc(at: datetime) -> datetime:
    """The next local midnight after ``at`` (the end of its local day), in UTC.

    An instant exactly at local midnight belongs to the day it begins, so its end is 24 hours later.
    Raises :class:`ValueError` if ``at`` is naive.
    """
    return local_midnight_utc(local_date(at) + timedelta(days=1))

"""An offer's deadline as the pages first show it, before web/static/countdown.js takes over each second."""

from __future__ import annotations

from datetime import datetime

from services.clock import ZONE


def deadline(expires_at: str, now: datetime) -> dict[str, str | int]:
    """``text``: "请在 8 分 30 秒内答复（07:42 前）" by the server's clock ``now``; ``local``: the deadline as
    HH:MM in Asia/Shanghai; ``seconds``: whole seconds left (0 once past)."""
    end = datetime.fromisoformat(expires_at)
    left = max(0, int(-(-(end - now).total_seconds() // 1)))
    local = end.astimezone(ZONE).strftime("%H:%M")
    text = f"请在 {left // 60} 分 {left % 60} 秒内答复（{local} 前）" if left else "答复时间已到"
    return {"text": text, "local": local, "seconds": left}

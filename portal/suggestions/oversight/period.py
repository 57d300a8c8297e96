"""The period filter (统计期间) shared by the staff and public pages."""

from dataclasses import dataclass
from datetime import date

from portal.timeutil import to_local, utcnow


@dataclass(frozen=True)
class Period:
    date_from: date | None
    date_to: date | None
    error: str | None = None

    @property
    def label(self):
        if self.date_from is None and self.date_to is None:
            return "全部"
        start = self.date_from.isoformat() if self.date_from else "最早"
        end = self.date_to.isoformat() if self.date_to else "至今"
        return f"{start} 至 {end}"

    @property
    def args(self):
        return {
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }


def today():
    """The China date now."""
    return to_local(utcnow()).date()


def _parse(value):
    return date.fromisoformat(value) if value else None


def parse_period(args):
    """The period of the request ``args`` (``from``, ``to``: ``YYYY-MM-DD``).

    Without either, the current calendar year up to today. A bad value gives a
    period with ``error`` set (a Chinese message) and no bounds.
    """
    raw_from, raw_to = args.get("from"), args.get("to")
    if raw_from is None and raw_to is None:
        now = today()
        return Period(date(now.year, 1, 1), now)
    try:
        start, end = (
            _parse(raw_from.strip() if raw_from else ""),
            _parse(raw_to.strip() if raw_to else ""),
        )
    except ValueError:
        return Period(None, None, "日期格式不正确，请使用 年-月-日（如 2026-01-31）")
    if start and end and start > end:
        return Period(None, None, "开始日期不能晚于结束日期")
    return Period(start, end)

"""Reads of the Gulf calendar: the year page's months, and the two tables."""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import formats

from . import calendar
from .calendar import Blocked
from .models import Closure, IslamicDate

MIN_YEAR = 1925  # hijridate's Umm al-Qura tables: 1343-1500 AH
MAX_YEAR = 2076


def closures_for(user):
    return Closure.objects.visible_to(user).order_by("start", "end", "name", "pk")


def islamic_dates_for(user):
    return IslamicDate.objects.visible_to(user).order_by("hijri_year", "event")


@dataclass
class Day:
    date: date
    hijri: str
    hijri_day: int | None
    weekend: bool
    blocks: list[Blocked] = field(default_factory=list)

    @property
    def working(self) -> bool:
        return not self.weekend and not any(b.hard for b in self.blocks)

    @property
    def kinds(self) -> str:
        return " ".join(sorted({b.kind for b in self.blocks}))


@dataclass
class Month:
    first: date
    hijri: str  # the Hijri months it spans
    weeks: list[list[Day | None]]


def year_months(year: int) -> list[Month]:
    """The year, month by month, as weeks starting on Sunday (None pads a week)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    by_day = calendar.blocks_by_day(start, end)
    week = calendar.working_days()
    grid = pycalendar.Calendar(firstweekday=6)
    months = []
    for month in range(1, 13):
        weeks = []
        for row in grid.monthdatescalendar(year, month):
            weeks.append(
                [
                    Day(
                        date=d,
                        hijri=calendar.hijri(d),
                        hijri_day=calendar.hijri_day(d),
                        weekend=d.weekday() not in week,
                        blocks=by_day.get(d, []),
                    )
                    if d.month == month
                    else None
                    for d in row
                ]
            )
        first = date(year, month, 1)
        last = date(year, month, pycalendar.monthrange(year, month)[1])
        names = [calendar.hijri_month_name(first), calendar.hijri_month_name(last)]
        hijri = names[0] if names[0] == names[1] else f"{names[0]} – {names[1]}"
        months.append(Month(first=first, hijri=hijri, weeks=weeks))
    return months


def weekday_names() -> list[str]:
    """Sunday first, in the active language."""
    sunday = date(2023, 1, 1)
    return [formats.date_format(sunday + timedelta(days=i), "D") for i in range(7)]

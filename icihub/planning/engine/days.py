"""The calendar as day numbers: blocked days, allowed starts, the days near Ramadan and the Eids, an instructor's busy days."""

from __future__ import annotations

from .problem import Calendar, Instructor

# -- the calendar ---------------------------------------------------------------------------------


def _days_of(cal: Calendar, periods) -> set[int]:
    """The year's day numbers that the periods cover (clipped to the year)."""
    out = set()
    for p in periods:
        a, b = max(cal.day(p.start), 0), min(cal.day(p.end), cal.days - 1)
        out.update(range(a, b + 1))
    return out


def blocked_days(cal: Calendar) -> set[int]:
    return _days_of(cal, cal.blocked)


def allowed_starts(cal: Calendar, duration: int) -> list[int]:
    """Day numbers on which a session of ``duration`` days may start: it starts
    and ends on working days, within the year, and touches no blocked day. A
    session no longer than the working week also keeps within one working
    week (a five-day course runs Sunday to Thursday, not Wednesday to Sunday
    across the weekend)."""
    blocked = blocked_days(cal)
    within_week = duration <= len(cal.working_days)
    out = []
    for t in range(0, cal.days - duration + 1):
        days = range(t, t + duration)
        if cal.date(t).weekday() not in cal.working_days:
            continue
        if cal.date(t + duration - 1).weekday() not in cal.working_days:
            continue
        if within_week and any(cal.date(d).weekday() not in cal.working_days for d in days):
            continue
        if any(d in blocked for d in days):
            continue
        out.append(t)
    return out


def near_days(cal: Calendar) -> set[int]:
    return _days_of(cal, cal.near)


def _busy(inst: Instructor, cal: Calendar) -> list[tuple[int, int]]:
    """An instructor's unavailable periods as day ranges (inclusive) within the year."""
    out = []
    for p in inst.unavailable:
        a, b = max(cal.day(p.start), 0), min(cal.day(p.end), cal.days - 1)
        if a <= b:
            out.append((a, b))
    # overlapping or touching periods are one (they must not overlap in NoOverlap)
    merged: list[tuple[int, int]] = []
    for a, b in sorted(out):
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _free(busy: list[tuple[int, int]], t: int, duration: int) -> bool:
    return all(b < t or a > t + duration - 1 for a, b in busy)

"""The planner's view of the Gulf calendar (``icihub.gulf.calendar``): the
working week, the hard blocks of a year, and the weeks next to Ramadan and
the Eids that a plan avoids where it can."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from functools import lru_cache

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from icihub.gulf import calendar as gulf

from . import engine as e


def calendar(year: int) -> e.Calendar:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    blocks = gulf.blocked_periods(first, last)
    hard = tuple(e.Period(b.start, b.end, gulf.describe(b), b.kind) for b in blocks if b.hard)
    week = dt.timedelta(days=e.NEAR_DAYS)
    one = dt.timedelta(days=1)
    near = [e.Period(b.start, b.end, gulf.describe(b), b.kind) for b in blocks if not b.hard]
    for b in gulf.islamic_periods(year):
        if b.kind == "ramadan":
            near.append(e.Period(b.start - week, b.start - one, _("the week before Ramadan")))
        else:
            near.append(
                e.Period(b.start - week, b.start - one, _("the week before %(e)s") % {"e": b.name})
            )
            near.append(
                e.Period(b.end + one, b.end + week, _("the week after %(e)s") % {"e": b.name})
            )
    return e.Calendar(year, frozenset(gulf.working_days()), hard, tuple(near))


# -- a plan's sessions on the page, computed once per calendar ----------------------
#
# The plan's page shows each of its ~150 sessions with its dates, its Hijri
# dates and the Gulf calendar's problems (non-working days, blocks overlapped):
# about 600 dates formatted on each read. Each text is a pure function of its
# days, the active language and (problems) the working week and the blocks,
# so it is kept in this process under exactly those keys: a changed block (a
# confirmed Eid, a new closure), week or language is another key.


@lru_cache(maxsize=4096)
def _day_texts(day: dt.date, language: str | None) -> tuple[str, str]:
    # As the template's |date:"D j M Y" wrote it, and the Hijri date.
    return formats.date_format(day, "D j M Y"), gulf.hijri(day)


def day_texts(day: dt.date) -> tuple[str, str]:
    """The day (e.g. "Mon 6 Jan 2025") and its Hijri date, in the active language."""
    return _day_texts(day, get_language())


#: (language, working week, blocks) -> {(start, end): problems}; a few calendars.
_PROBLEMS: OrderedDict = OrderedDict()
_MAX_CALENDARS, _MAX_SESSIONS = 8, 10_000


def sessions_problems(periods: list[tuple[dt.date, dt.date]]) -> list[list[str]]:
    """``gulf.session_problems`` of each (start, end), against the Gulf
    calendar's blocks over all of them (read once), each distinct period
    computed once for a given calendar (see above)."""
    if not periods:
        return []
    blocks = gulf.blocked_periods(min(s for s, _e in periods), max(e for _s, e in periods))
    key = (get_language(), gulf.working_days(), tuple(blocks))
    table = _PROBLEMS.pop(key, None)
    if table is None or len(table) > _MAX_SESSIONS:
        table = {}
    _PROBLEMS[key] = table
    while len(_PROBLEMS) > _MAX_CALENDARS:
        _PROBLEMS.popitem(last=False)
    out = []
    for period in periods:
        if period not in table:
            table[period] = gulf.session_problems(period[0], period[1], blocks)
        out.append(list(table[period]))
    return out

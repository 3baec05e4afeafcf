"""The planner's view of the Gulf calendar (``icihub.gulf.calendar``): the
working week, the hard blocks of a year, and the weeks next to Ramadan and
the Eids that a plan avoids where it can."""

from __future__ import annotations

import datetime as dt

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

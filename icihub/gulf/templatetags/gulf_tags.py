"""The Gulf calendar in other apps' pages: a session's warnings (training's
session page and calendar) and the blocks of a day."""

from __future__ import annotations

from datetime import date

from django import template

from icihub.gulf import calendar

register = template.Library()

# A cancelled session will not be held: its dates no longer matter.
_IGNORED_STATES = {"cancelled"}


@register.filter
def gulf_problems(session) -> list[str]:
    """The sentences about a session's dates (non-working days, blocked periods)."""
    if session is None or getattr(session, "state", None) in _IGNORED_STATES:
        return []
    return calendar.session_problems(getattr(session, "start", None), getattr(session, "end", None))


@register.filter
def gulf_blocks(day: date) -> list[calendar.Blocked]:
    """The blocked periods covering one day."""
    if not isinstance(day, date):
        return []
    return calendar.blocked_periods(day, day)


@register.filter
def gulf_hijri(day: date) -> str:
    return calendar.hijri(day) if isinstance(day, date) else ""


@register.inclusion_tag("gulf/_session_warnings.html")
def gulf_session_warnings(session):
    return {"problems": gulf_problems(session), "session": session}

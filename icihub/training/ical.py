"""iCalendar (RFC 5545) feeds of sessions, built with the ``icalendar`` package."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from icihub.core.access import Marking, most_restrictive
from icihub.gulf import calendar as gulf_calendar

from .models import Session


def feed_with_marking(sessions, name: str = "icihub – NATO-ICI Regional Centre courses"):
    """One VCALENDAR with a VEVENT per session, and its marking: all-day events
    from the first to the last day (DTEND is exclusive, per RFC 5545), a stable
    UID per session, cancelled sessions marked STATUS:CANCELLED. The calendar
    carries the most restrictive releasability marking of its sessions
    (X-ICIHUB-MARKING, also returned: ``(bytes, Marking)``), and each event its
    own, also at the head of its description."""
    cal = Calendar()
    cal.add("prodid", "-//icihub//NATO-ICI Regional Centre//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    host = settings.ICIHUB_BASE_URL.split("://", 1)[-1].split("/", 1)[0] or "icihub"
    markings = []
    for session in sessions:
        marking = Marking(session.course.marking or Marking.PUBLIC)
        markings.append(marking)
        event = Event()
        event.add("uid", f"training-session-{session.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.start)
        event.add("dtend", session.end + dt.timedelta(days=1))
        event.add("summary", f"{session.course.code} – {session.course.title}")
        event.add("location", session.venue)
        event.add("url", settings.ICIHUB_BASE_URL + session.get_absolute_url())
        description = session.course.aim or session.course.description
        description = f"[{marking.label}] {description or ''}".strip()
        if session.state != Session.State.CANCELLED:
            # The Gulf calendar's warnings (non-working days, blocked periods).
            problems = gulf_calendar.session_problems(session.start, session.end)
            if problems:
                description += "\n\n" + "\n".join(["⚠ " + p for p in problems])
        event.add("description", description)
        event.add("x-icihub-marking", str(marking.label))
        if session.state == Session.State.CANCELLED:
            event.add("status", "CANCELLED")
        elif session.state in (Session.State.PLANNED,):
            event.add("status", "TENTATIVE")
        else:
            event.add("status", "CONFIRMED")
        cal.add_component(event)
    overall = most_restrictive(markings)
    cal.add("x-icihub-marking", str(overall.label))
    return cal.to_ical(), overall

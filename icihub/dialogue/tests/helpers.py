"""Test helpers of the dialogue app."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from icihub.core.access import Marking
from icihub.dialogue.models import Event, FollowUpAction, Participant
from icihub.menu.models import Area
from icihub.partners.models import Country, Organisation

_counter = itertools.count(1)


def make_event(
    title: str | None = None,
    *,
    marking: str = Marking.PUBLIC,
    country: str | None = None,
    date: str | None = "2020-05",
    fmt: str = Event.Format.NAC_ICI,
    participants: tuple = ("KWT", "QAT"),
    topics: tuple = ("cyber-defence",),
    venue: str | None = None,
    actions: int = 0,
    overdue: int = 0,
) -> Event:
    """An event written straight to the database (the services are tested apart)."""
    n = next(_counter)
    event = Event.objects.create(
        title=title or f"Test event {n}",
        format=fmt,
        date=date,
        marking=marking,
        country=Country.objects.get(iso3=country) if country else None,
        venue=Organisation.objects.get(slug=venue) if venue else None,
        summary=f"Summary {n}",
    )
    for iso3 in participants:
        Participant.objects.create(
            event=event, country=Country.objects.get(iso3=iso3), role=Participant.Role.MEMBER
        )
    event.topics.set(Area.objects.filter(code__in=topics))
    org = Organisation.objects.get(slug="nato-pasp")
    today = timezone.localdate()
    for i in range(actions):
        FollowUpAction.objects.create(
            event=event,
            description=f"Action {n}.{i}",
            owner_organisation=org,
            due=today + dt.timedelta(days=30),
        )
    for i in range(overdue):
        FollowUpAction.objects.create(
            event=event,
            description=f"Overdue action {n}.{i}",
            owner_organisation=org,
            due=today - dt.timedelta(days=10),
        )
    return event


def ref(key: str) -> Event:
    return Event.objects.get(key=key)

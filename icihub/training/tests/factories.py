"""Builders for the training tests, through the services (so every record is valid)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from icihub.menu.models import Area
from icihub.partners.models import Country, Framework, Organisation
from icihub.training import services
from icihub.training.models import Course, Session

GIVEN = ["Ahmad", "Fahad", "Salem", "Yousef", "Khalid", "Nasser", "Hamad", "Ali", "Omar"]
FAMILY = ["Al-Mutairi", "Al-Azmi", "Al-Sabah", "Al-Kandari", "Al-Thani", "Al-Kuwari", "Al-Marri"]


def make_course(actor, code="NIRC-T-001", *, marking="public", frameworks=("ici",), **extra):
    data = {
        "code": code,
        "title": extra.pop("title", "Crisis management for practitioners"),
        "title_ar": extra.pop("title_ar", "إدارة الأزمات"),
        "provider": Organisation.objects.get(slug="nato-ici-rc"),
        "marking": marking,
        "aim": "To prepare officers to manage crises together.",
        "duration_days": extra.pop("duration_days", 5),
        "default_capacity": extra.pop("default_capacity", 30),
        "areas": extra.pop("areas", list(Area.objects.filter(code="crisis-management"))),
        **extra,
    }
    course = services.create_course(actor, data)
    course.eligible_frameworks.set(Framework.objects.filter(code__in=frameworks))
    return Course.objects.get(pk=course.pk)


def make_session(
    course,
    actor,
    *,
    start: dt.date | None = None,
    capacity=4,
    quotas=None,
    state=Session.State.OPEN,
    **extra,
) -> Session:
    start = start or timezone.localdate() + dt.timedelta(weeks=10)
    data = {
        "start": start,
        "end": start + dt.timedelta(days=course.duration_days - 1),
        "capacity": capacity,
        "nomination_deadline": extra.pop("nomination_deadline", start - dt.timedelta(weeks=7)),
        **extra,
    }
    quota_map = {Country.objects.get(iso3=c): n for c, n in (quotas or {}).items()}
    session = services.create_session(actor, course, data, quotas=quota_map)
    if state != Session.State.PLANNED:
        services.change_state(actor, session, Session.State.OPEN)
    if state not in (Session.State.PLANNED, Session.State.OPEN):
        services.change_state(actor, session, state, reason="test", override_dates=True)
    session.refresh_from_db()
    return session


def make_participant(actor, iso3="KWT", n=1, **extra):
    given = extra.pop("given_name", GIVEN[n % len(GIVEN)])
    family = extra.pop("family_name", f"{FAMILY[n % len(FAMILY)]}-{iso3}{n}")
    return services.create_participant(
        actor,
        {
            "given_name": given,
            "family_name": family,
            "name_ar": extra.pop("name_ar", "أحمد المطيري"),
            "country": Country.objects.get(iso3=iso3),
            "service": extra.pop("service", "army"),
            "rank": extra.pop("rank", "Major"),
            "rank_code": extra.pop("rank_code", "OF-3"),
            "email": extra.pop("email", f"{given}.{family}@example.test".lower()),
            **extra,
        },
    )


def make_due_sessions(course, centre_staff, coordinator, people, count: int = 12) -> list:
    """``count`` sessions whose quotas are due for release the same day (ten
    weeks ahead, released six weeks before), each with the first two of
    ``people`` (Kuwaitis) seated in Kuwait's quota of two and the next two
    waiting for the two seats the release frees."""
    start = timezone.localdate() + dt.timedelta(weeks=10)
    sessions = []
    for i in range(count):
        session = make_session(
            course,
            centre_staff,
            start=start + dt.timedelta(days=i),
            capacity=4,
            quotas={"KWT": 2},
            reallocation_date=start - dt.timedelta(weeks=6),
        )
        services.nominate_many(coordinator, session, people[:4])
        sessions.append(session)
    return sessions

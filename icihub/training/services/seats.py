"""Seats held by each country in a session, and the session counter."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F

from ..models import (
    Session,
)

# -- nominations ---------------------------------------------------------------------


def _held_by_country(session: Session) -> dict[int, int]:
    held: dict[int, int] = defaultdict(int)
    for country_id in session.nominations.filter(has_seat=True).values_list(
        "country_id", flat=True
    ):
        held[country_id] += 1
    return held


def _quota_of(session: Session, country_id: int) -> int:
    row = session.quotas.filter(country_id=country_id).values_list("seats", flat=True).first()
    return row or 0


def _seat_available(session: Session, country_id: int) -> bool:
    """Whether ``country_id`` may take a seat now (the session row is locked)."""
    if session.seats_taken >= session.capacity:
        return False
    if session.quotas_released_at is not None:
        return True
    held = session.nominations.filter(country_id=country_id, has_seat=True).count()
    return held < _quota_of(session, country_id)


def _take_seat(session: Session) -> None:
    Session.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") + 1)
    session.seats_taken += 1


def _free_seat(session: Session) -> None:
    Session.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") - 1)
    session.seats_taken -= 1

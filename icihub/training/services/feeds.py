"""Calendar feeds: private keys for the iCalendar feed."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from icihub.core import audit

from ..models import (
    CalendarFeed,
)

# -- calendar feeds ----------------------------------------------------------------------


def feed_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_feed_key(actor) -> str:
    """Give ``actor`` a new secret calendar address (the previous one stops
    working). Returns the key, which is shown once and never stored."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))
    key = secrets.token_urlsafe(24)
    with audit.acting(actor), transaction.atomic():
        CalendarFeed.objects.filter(user=actor).delete()
        CalendarFeed.objects.create(user=actor, key_hash=feed_hash(key))
    return key


def revoke_feed(actor) -> bool:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))
    with audit.acting(actor), transaction.atomic():
        deleted, _rows = CalendarFeed.objects.filter(user=actor).delete()
    return bool(deleted)


def feed_user(key: str):
    """The user of a calendar key, or None (a revoked or unknown key)."""
    if not key:
        return None
    feed = (
        CalendarFeed.objects.select_related("user", "user__country")
        .filter(key_hash=feed_hash(key))
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > dt.timedelta(hours=1):
        with audit.suspended():
            CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.user

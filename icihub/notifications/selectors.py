"""Reads of the notifications: always through ``visible_to`` (one's own, about
records one may still see)."""

from __future__ import annotations

from .models import Notification


def for_user(user, *, unread: bool | None = None):
    qs = Notification.objects.visible_to(user).order_by("-created_at", "-id")
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return for_user(user, unread=True).count()

"""Reads of the notifications: always through ``visible_to`` (one's own, about
records one may still see)."""

from __future__ import annotations

from django.db.models import Q

from .models import Notification, own_q

UNREAD = Q(read_at__isnull=True)


def for_user(user, *, unread: bool | None = None):
    qs = Notification.objects.visible_to(user).order_by("-created_at", "-id")
    if unread is True:
        qs = qs.filter(UNREAD)
    elif unread is False:
        qs = qs.exclude(UNREAD)
    return qs


def unread_count(user) -> int:
    """The bell's count on every page: one's unread notifications about records
    one may still see. Those visible are among one's own unread ones, so when
    there are none (one who has read them all) the count is 0 without the visibility
    rule, whose subquery through every notified model's access policy cost a
    coordinator 3-5 ms a page (compiled and planned) at ten times the data.
    With unread ones it is one query more (the query budgets' coordinator has one)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    if not Notification.objects.filter(UNREAD & own_q(user)).exists():
        return 0
    return for_user(user, unread=True).count()

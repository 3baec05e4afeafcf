"""REST API of the notifications: one's own list, the unread count, mark read,
and one's choices. Thin: parse, call a selector or a service, shape."""

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from icihub.core.access import get_visible
from icihub.core.apikit import (
    ERRORS,
    READ_ERRORS,
    Converted,
    Id,
    Pagination,
    require_signed_in,
)

from . import render, selectors, services
from .filters import NotificationFilters
from .kinds import kinds_for
from .models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    message: str = Field(description="In the language of the request (Accept-Language)")
    detail: str
    url: str = Field(description="The page of the record it is about")
    created_at: dt.datetime
    read: bool
    read_at: dt.datetime | None


def notification_out(n: Notification) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "message": render.message(n),
        "detail": render.detail(n),
        "url": render.link(n),
        "created_at": n.created_at,
        "read": n.read_at is not None,
        "read_at": n.read_at,
    }


class UnreadCountOut(Schema):
    unread: int


class MarkedReadOut(Schema):
    marked: int


class NotificationKindOut(Schema):
    kind: str
    label: str
    channel: str


class NotificationPreferencesOut(Schema):
    language: str = Field(description='"en", "ar", or "" (the language last used here)')
    language_used: str = Field(description="The language e-mails are written in now")
    kinds: list[NotificationKindOut]


class NotificationPreferencesIn(Schema):
    language: str | None = Field(None, description='"en", "ar" or "" (the language last used)')
    channels: dict[str, str] | None = Field(
        None, description="kind → in_app, email or digest (the kinds not named keep theirs)"
    )


def _preferences_out(user) -> dict:
    prefs = services.preferences_of(user)
    return {
        "language": prefs.language if prefs else "",
        "language_used": services.language_for(user),
        "kinds": [
            {"kind": k.value, "label": str(k.label), "channel": services.channel_for(user, k)}
            for k in kinds_for(user)
        ],
    }


@router.get(
    "/notifications",
    response={200: list[NotificationOut], **READ_ERRORS},
    summary="My notifications, newest first",
)
@paginate(Pagination)
def notification_list(request, filters: Query[NotificationFilters]):
    user = require_signed_in(request)
    return Converted(filters.filter(selectors.for_user(user)), notification_out)


@router.get(
    "/notifications/unread-count",
    response={200: UnreadCountOut, **READ_ERRORS},
    summary="How many of my notifications are unread (the bell)",
)
def unread_count(request):
    return {"unread": selectors.unread_count(require_signed_in(request))}


@router.post(
    "/notifications/read",
    response={200: MarkedReadOut, **ERRORS},
    summary="Mark all my notifications read",
)
def mark_all_read(request):
    return {"marked": services.mark_all_read(require_signed_in(request))}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    summary="Mark one of my notifications read",
)
def mark_read(request, notification_id: Id):
    user = require_signed_in(request)
    notification = get_visible(Notification, user, pk=notification_id)
    return notification_out(services.mark_read(user, notification))


@router.get(
    "/notifications/preferences",
    response={200: NotificationPreferencesOut, **READ_ERRORS},
    summary="My notification settings: a channel per kind, and the language of e-mails",
)
def preferences(request):
    return _preferences_out(require_signed_in(request))


@router.patch(
    "/notifications/preferences",
    response={200: NotificationPreferencesOut, **ERRORS},
    summary="Change my notification settings (all or nothing)",
)
def preferences_update(request, payload: NotificationPreferencesIn):
    user = require_signed_in(request)
    services.set_preferences(user, language=payload.language, channels=payload.channels)
    return _preferences_out(type(user).objects.get(pk=user.pk))

"""Writes of the notifications: creating them for the recipients who may see
the record, marking them read, and each user's choices."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from icihub.core import audit
from icihub.core.access import Role, can_see, check_change, role_of

from .kinds import KINDS, Channel, Kind, kinds_for
from .models import Notification, Preferences, SeenLanguage

log = logging.getLogger(__name__)

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


# -- creating notifications ---------------------------------------------------------------


def notify(kind: str, obj, *, recipients=None, key: str = "", params: dict | None = None) -> None:
    """Tell the recipients of ``kind`` about ``obj`` after the current
    transaction commits (so a rolled-back change announces nothing; at once
    when no transaction is open). ``obj`` may be a list of records of the
    kind's model (one callback for all). ``recipients`` defaults to the kind's
    audience; each one gets the notice only if they may see the record."""
    kind = Kind(kind)
    spec = KINDS[kind]
    objects = list(obj) if isinstance(obj, (list, tuple)) else [obj]
    for each in objects:
        if each._meta.label != spec.model:
            raise ValueError(
                f"a {kind} notification is about a {spec.model}, not {each._meta.label}"
            )
    work = [(each.pk, _params(each, params)) for each in objects]
    ids = None if recipients is None else [getattr(u, "pk", u) for u in recipients]

    def later():
        for pk, values in work:
            try:
                deliver(kind, spec.model, pk, recipient_ids=ids, key=key, params=values)
            except Exception:  # the change stands; one record does not stop the others
                log.exception("could not notify %s about %s %s", kind, spec.model, pk)

    if work:
        transaction.on_commit(later, robust=True)


def _params(obj, params: dict | None) -> dict:
    # The record's name in both languages (recipients read in their own,
    # ``render.message``), whatever the language of the one who acted.
    with translation.override(settings.LANGUAGE_CODE):
        values = {"subject": str(obj)}
    with translation.override("ar"):
        subject_ar = str(obj)
    if subject_ar != values["subject"]:
        values["subject_ar"] = subject_ar
    url = getattr(obj, "get_absolute_url", None)
    if url is not None:
        values["url"] = url()
    for name, value in (params or {}).items():
        values[name] = value.isoformat() if isinstance(value, dt.date) else value
    return values


def _user_model():
    return apps.get_model(settings.AUTH_USER_MODEL)


def default_recipients(kind: str, obj):
    """The audience of ``kind`` for ``obj``: the coordinators of its country,
    or everyone active with one of the kind's roles (the owner of an action
    besides NATO staff)."""
    spec = KINDS[Kind(kind)]
    users = _user_model().objects.filter(is_active=True)
    if spec.by_country:
        return users.filter(role=Role.COORDINATOR, country_id=getattr(obj, "country_id", None))
    if kind == Kind.ACTION_DUE:
        owner = getattr(obj, "owner_user_id", None)
        return users.filter(role=Role.NATO_STAFF) | users.filter(pk=owner)
    return users.filter(role__in=list(spec.audience))


def deliver(
    kind: str,
    label: str,
    pk,
    *,
    recipient_ids: Iterable | None = None,
    key: str = "",
    params: dict | None = None,
) -> list[Notification]:
    """Create the notifications of ``kind`` about the record ``label``/``pk``
    now, for each recipient who may see it, and queue the e-mails of those who
    want them at once. A notice with a ``key`` is created once per recipient,
    kind, record and key. Returns the notifications created."""
    kind = Kind(kind)
    model = apps.get_model(label)
    obj = model._base_manager.filter(pk=pk).first()
    if obj is None:
        return []
    if recipient_ids is None:
        users = default_recipients(kind, obj)
    else:
        users = _user_model().objects.filter(is_active=True, pk__in=list(recipient_ids))
    content_type = ContentType.objects.get_for_model(model)
    values = params if params is not None else _params(obj, None)
    created = []
    for user in users.select_related("notification_preferences").distinct().order_by("pk"):
        if not can_see(user, obj):
            continue
        notification = _create(user, kind, content_type, obj.pk, key, values)
        if notification is not None:
            created.append(notification)
    return created


def preferences_of(user) -> Preferences | None:
    try:
        return user.notification_preferences
    except Preferences.DoesNotExist:
        return None


def channel_for(user, kind: str) -> str:
    prefs = preferences_of(user)
    return prefs.channel_for(kind) if prefs else KINDS[Kind(kind)].default


def _create(user, kind, content_type, object_id, key, params) -> Notification | None:
    channel = channel_for(user, kind)
    fields = {
        "recipient": user,
        "kind": kind,
        "content_type": content_type,
        "object_id": object_id,
        "key": key,
    }
    with transaction.atomic():
        if key:
            notification, made = Notification.objects.get_or_create(
                **fields, defaults={"params": params, "channel": channel}
            )
            if not made:
                return None
        else:
            notification = Notification.objects.create(**fields, params=params, channel=channel)
        if channel == Channel.EMAIL:
            from .tasks import send_notification

            transaction.on_commit(
                lambda pk=notification.pk: send_notification.enqueue(pk), robust=True
            )
    return notification


# -- reading them ---------------------------------------------------------------------------


def mark_read(actor, notification: Notification) -> Notification:
    """Mark one of one's notifications read (404 for anyone else's)."""
    check_change(actor, notification)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(actor) -> int:
    """Mark every unread notification of ``actor`` read; returns how many."""
    if role_of(actor) is None:
        return 0
    return (
        Notification.objects.visible_to(actor)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )


# -- choices ----------------------------------------------------------------------------------


def set_preferences(
    actor, *, language: str | None = None, channels: dict | None = None, reason: str = ""
) -> Preferences:
    """Change one's own choices: the language of e-mails ("" for the language
    last used) and the channel of some kinds. Everything is checked first;
    a single bad value changes nothing."""
    if role_of(actor) is None:
        raise ValidationError({"user": _("Sign in to choose your notifications.")})
    errors: dict[str, list[str]] = {}
    if language is not None and language != "" and language not in LANGUAGE_CODES:
        errors["language"] = [_("Choose English or Arabic, or leave it unset.")]
    allowed = {str(k) for k in kinds_for(actor)}
    for kind, channel in (channels or {}).items():
        if str(kind) not in allowed:
            errors.setdefault("channels", []).append(
                _("“%(kind)s” is not a kind of notification you receive.") % {"kind": kind}
            )
        elif channel not in Channel.values:
            errors.setdefault("channels", []).append(
                _("“%(channel)s” is not a channel: choose one of %(choices)s.")
                % {"channel": channel, "choices": ", ".join(Channel.values)}
            )
    if errors:
        raise ValidationError(errors)
    with audit.acting(actor, reason=reason), transaction.atomic():
        prefs, _made = Preferences.objects.select_for_update().get_or_create(user=actor)
        if language is not None:
            prefs.language = language
        if channels:
            prefs.channels = {**(prefs.channels or {}), **{str(k): v for k, v in channels.items()}}
        prefs.full_clean()
        prefs.save()
    return prefs


def language_for(user) -> str:
    """The language of ``user``'s e-mails: their choice, else the language of
    their last request, else the site's default (English)."""
    prefs = preferences_of(user)
    if prefs and prefs.language in LANGUAGE_CODES:
        return prefs.language
    seen = SeenLanguage.objects.filter(user=user).values_list("language", flat=True).first()
    if seen in LANGUAGE_CODES:
        return seen
    return settings.LANGUAGE_CODE


def remember_language(user, language: str) -> None:
    """Record the language of a user's request (bookkeeping, not audited)."""
    if language not in LANGUAGE_CODES or role_of(user) is None:
        return
    SeenLanguage.objects.update_or_create(
        user=user, defaults={"language": language, "seen_at": timezone.now()}
    )

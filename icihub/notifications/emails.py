"""The e-mails of the notifications: one notice at once, or the day's digest,
in the recipient's language, through Django's mail framework (the worker
sends them: :mod:`.tasks` and :mod:`.jobs`)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import render
from .kinds import Channel
from .models import Digest, Notification
from .services import language_for

log = logging.getLogger(__name__)


def _compose(template: str, user, context: dict) -> EmailMessage:
    with translation.override(language_for(user)):
        rows = [
            {
                "message": render.message(n),
                "detail": render.detail(n),
                "url": render.absolute_link(n),
            }
            for n in context.pop("notifications")
        ]
        text = render_to_string(
            f"notifications/email/{template}.txt",
            {"user": user, "rows": rows, "base_url": settings.ICIHUB_BASE_URL, **context},
        ).strip()
    subject, _sep, body = text.partition("\n")
    return EmailMessage(
        subject=subject.strip()[:200],
        body=body.strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )


def send_one(notification_id: int) -> bool:
    """E-mail one notification, once: the row is locked and marked sent in
    the same transaction (a failure to send leaves it unsent and raises, so
    the task fails and can be run again). Nothing is sent when the recipient
    may no longer see the record, has no address or is inactive."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        user = notification.recipient
        if not user.is_active or not user.email:
            return False
        if not Notification.objects.visible_to(user).filter(pk=notification.pk).exists():
            return False
        message = _compose("notification", user, {"notifications": [notification]})
        message.send(fail_silently=False)
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


def pending_digest(user):
    return (
        Notification.objects.visible_to(user)
        .filter(channel=Channel.DIGEST, emailed_at__isnull=True)
        .order_by("created_at", "pk")
    )


def send_digest(user, day: dt.date) -> int:
    """The day's digest of ``user``: one e-mail listing every notice they
    chose to get in a digest and have not had yet, at most once a day (the
    unique :class:`Digest` row of the user and day is the claim). Returns how
    many notices it listed (0: nothing sent)."""
    if not user.is_active or not user.email:
        return 0
    with transaction.atomic():
        rows = list(pending_digest(user))
        if not rows:
            return 0
        digest, _made = Digest.objects.get_or_create(user=user, day=day)
        digest = Digest.objects.select_for_update().get(pk=digest.pk)
        if digest.sent_at is not None:
            return 0
        message = _compose("digest", user, {"notifications": rows, "day": day})
        message.send(fail_silently=False)
        now = timezone.now()
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
            emailed_at=now, digest=digest
        )
        digest.sent_at = now
        digest.save(update_fields=["sent_at", "updated_at"])
    return len(rows)

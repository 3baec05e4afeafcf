"""The notifications' daily jobs (run by ``icihub worker``): the notices due
on a date, and the digest e-mails.

This app imports no app above core: the records are read through Django's app
registry. Each record (each user, for the digest) is its own transaction, so
one failure never sinks the rest; the job fails (and is retried) after trying
them all, and the retry skips what was done (each notice has a once-only key,
each digest a row per user and day)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from icihub.core.access import Role
from icihub.core.jobs import scheduled

from . import emails, services
from .kinds import Channel, Kind

log = logging.getLogger(__name__)

LEAD_DAYS = 7  # "a deadline in 7 days", "due to start", "action due": the week ahead


class Failures(Exception):
    pass


def _each(rows: Iterable, work: Callable[[object], int], what: str) -> tuple[int, int]:
    """Run ``work(row)`` for each row in its own transaction; count the
    notices made and the rows that failed (logged)."""
    made = failed = 0
    for row in rows:
        try:
            with transaction.atomic():
                made += work(row)
        except Exception:
            failed += 1
            log.exception("%s: could not notify about %r", what, row)
    return made, failed


def _summary(what: str, rows: int, made: int, failed: int) -> str:
    text = f"{what}: {rows} record(s), {made} notification(s)"
    if failed:
        raise Failures(f"{text}, {failed} failed (see the log)")
    return text


def _model(label: str):
    return apps.get_model(label)


def _today(run=None) -> dt.date:
    due = getattr(run, "due_at", None)
    return timezone.localdate(due) if due else timezone.localdate()


def _deliver(kind, obj, key: dt.date, *, recipients=None, date: dt.date | None = None) -> int:
    params = services._params(obj, {"date": date or key})
    return len(
        services.deliver(
            kind,
            obj._meta.label,
            obj.pk,
            recipient_ids=None if recipients is None else [u.pk for u in recipients],
            key=key.isoformat(),
            params=params,
        )
    )


def deadlines_soon(today: dt.date) -> str:
    """Coordinators: a session's nomination deadline within the week ahead."""
    Session = _model("training.Session")
    rows = list(
        Session.objects.filter(
            state=Session.State.OPEN,
            nomination_deadline__gte=today,
            nomination_deadline__lte=today + dt.timedelta(days=LEAD_DAYS),
        ).select_related("course")
    )
    made, failed = _each(
        rows,
        lambda s: _deliver(Kind.DEADLINE_SOON, s, s.nomination_deadline),
        "deadline-soon",
    )
    return _summary("nomination deadlines", len(rows), made, failed)


def sessions_undecided(today: dt.date) -> str:
    """Centre staff: a session starting within the week with nominations
    still waiting for a decision."""
    Session = _model("training.Session")
    rows = list(
        Session.objects.filter(
            start__gte=today,
            start__lte=today + dt.timedelta(days=LEAD_DAYS),
            nominations__status="nominated",
        )
        .exclude(state__in=[Session.State.CANCELLED, Session.State.COMPLETED])
        .select_related("course")
        .distinct()
    )
    made, failed = _each(
        rows, lambda s: _deliver(Kind.SESSION_UNDECIDED, s, s.start), "session-undecided"
    )
    return _summary("sessions with undecided nominations", len(rows), made, failed)


def requests_overdue(today: dt.date) -> str:
    """NATO staff: a partner's request unanswered for longer than
    ``ICIHUB_REQUEST_OVERDUE_DAYS`` (once per request)."""
    Request = _model("programmes.PartnerRequest")
    days = int(getattr(settings, "ICIHUB_REQUEST_OVERDUE_DAYS", 30))
    rows = list(
        Request.objects.filter(
            state=Request.State.OPEN, requested_on__lt=today - dt.timedelta(days=days)
        ).select_related("country")
    )
    made, failed = _each(
        rows,
        lambda r: _deliver(Kind.REQUEST_OVERDUE, r, r.requested_on + dt.timedelta(days=days + 1)),
        "request-overdue",
    )
    return _summary("overdue requests", len(rows), made, failed)


def actions_due(today: dt.date) -> str:
    """NATO staff and the action's owner: an open follow-up action due
    within the week ahead (once per due date: a new date, a new notice)."""
    Action = _model("dialogue.FollowUpAction")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    nato = list(User.objects.filter(is_active=True, role=Role.NATO_STAFF))
    rows = list(
        Action.objects.filter(
            state=Action.State.OPEN,
            due__gte=today,
            due__lte=today + dt.timedelta(days=LEAD_DAYS),
        ).select_related("owner_user")
    )

    def work(action) -> int:
        recipients = list(nato)
        if action.owner_user is not None:
            recipients.append(action.owner_user)
        return _deliver(Kind.ACTION_DUE, action, action.due, recipients=recipients)

    made, failed = _each(rows, work, "action-due")
    return _summary("follow-up actions due", len(rows), made, failed)


def digests(today: dt.date) -> str:
    """One e-mail per user and day listing the notices they chose to get in
    a digest."""
    User = apps.get_model(settings.AUTH_USER_MODEL)
    Notification = _model("notifications.Notification")
    users = list(
        User.objects.filter(
            pk__in=Notification.objects.filter(
                channel=Channel.DIGEST, emailed_at__isnull=True
            ).values("recipient")
        ).order_by("pk")
    )
    sent = listed = failed = 0
    for user in users:
        try:
            count = emails.send_digest(user, today)
        except Exception:
            failed += 1
            log.exception("digest: could not send the digest of user %s", user.pk)
            continue
        sent += bool(count)
        listed += count
    text = f"digests: {sent} sent, {listed} notification(s)"
    if failed:
        raise Failures(f"{text}, {failed} failed (see the log)")
    return text


@scheduled("notify-deadlines", daily_at=dt.time(6, 0))
def notify_deadlines(run) -> str:
    return deadlines_soon(_today(run))


@scheduled("notify-sessions-undecided", daily_at=dt.time(6, 5))
def notify_sessions_undecided(run) -> str:
    return sessions_undecided(_today(run))


@scheduled("notify-requests-overdue", daily_at=dt.time(6, 10))
def notify_requests_overdue(run) -> str:
    return requests_overdue(_today(run))


@scheduled("notify-actions-due", daily_at=dt.time(6, 15))
def notify_actions_due(run) -> str:
    return actions_due(_today(run))


@scheduled("send-digest", daily_at=dt.time(7, 0))
def send_digest(run) -> str:
    return digests(_today(run))

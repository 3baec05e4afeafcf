"""E-mails of the training app, sent through Django's mail framework (the
console by default, SMTP when ``ICIHUB_EMAIL_HOST`` is set; see settings.py).

The services call these after their transaction commits
(``transaction.on_commit``), with the id of the record, so a message never
announces a change that was rolled back. They do not send: they queue the
task :func:`deliver` (django-tasks), which ``icihub worker`` runs outside the
web request. A failing mail server is logged and does not undo the change; the
task tries again later (``RETRIES`` times, waiting longer each time) for the
messages that failed. With the immediate task backend (tests) the message is
sent at once and a failure is logged only."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend, task

from icihub.core.access import Role

from .models import Certificate, Nomination

log = logging.getLogger(__name__)
RETRIES = 4  # further attempts after a failure: 5, 10, 20, 40 minutes later
RETRY_AFTER = dt.timedelta(minutes=5)


class NotSent(Exception):
    """The mail server refused or did not answer (the task tries again)."""


def _nominations(pks):
    return Nomination.objects.select_related(
        "participant", "country", "session", "session__course"
    ).filter(pk__in=list(pks))


def _nomination(pk: int) -> Nomination | None:
    return _nominations([pk]).first()


def _coordinators_by_country(country_ids) -> dict[int, list[str]]:
    """The addresses of the active coordinators of each of ``country_ids``."""
    from icihub.core.models import User

    by_country: dict[int, list[str]] = {}
    for country_id, address in (
        User.objects.filter(role=Role.COORDINATOR, country_id__in=set(country_ids), is_active=True)
        .exclude(email="")
        .values_list("country_id", "email")
    ):
        by_country.setdefault(country_id, []).append(address)
    return by_country


def _coordinators(country_id: int) -> list[str]:
    return _coordinators_by_country([country_id]).get(country_id, [])


# The coordinators hear of these decisions through a notification
# (icihub.notifications: in-app, by e-mail or in the daily digest, as each
# chooses), so they are not copied on the nominee's message as well.
NOTIFIED_TO_COORDINATORS = frozenset({"accepted", "waitlisted", "promoted", "rejected"})


def _send(
    template: str,
    nomination: Nomination,
    extra: dict | None = None,
    attach=None,
    *,
    coordinators: list[str] | None = None,
    connection=None,
    raise_failure: bool = False,
) -> bool:
    to = [nomination.participant.email] if nomination.participant.email else []
    if template in NOTIFIED_TO_COORDINATORS:
        coordinators = []
    elif coordinators is None:
        coordinators = _coordinators(nomination.country_id)
    cc = [a for a in coordinators if a not in to]
    if not to and not cc:
        return False
    context = {
        "nomination": nomination,
        "participant": nomination.participant,
        "session": nomination.session,
        "course": nomination.session.course,
        "base_url": settings.ICIHUB_BASE_URL,
        "session_url": settings.ICIHUB_BASE_URL
        + reverse("training:session_detail", args=[nomination.session_id]),
        **(extra or {}),
    }
    text = render_to_string(f"training/email/{template}.txt", context).strip()
    subject, _sep, body = text.partition("\n")
    message = EmailMessage(
        subject=subject.strip()[:200],
        body=body.strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to or cc,
        cc=cc if to else [],
        connection=connection,
    )
    if attach:
        message.attach(*attach)
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # the change stands; the failure is logged for the operator
        log.exception("could not send the %s e-mail for nomination %s", template, nomination.pk)
        if raise_failure:
            raise NotSent(str(exc)) from exc
        return False
    return True


# -- the queued task ------------------------------------------------------------------------


@task()
def deliver(kind: str, pks: list[int], attempt: int = 1) -> int:
    """Send the e-mails of ``kind`` about the records ``pks`` (run by the worker).
    Those that fail are queued again, later, while attempts are left. Returns
    how many messages were sent."""
    sender = SENDERS[kind]
    retry = attempt <= RETRIES and default_task_backend.supports_defer
    sent, failed = sender(pks, retry)
    if failed:
        delay = RETRY_AFTER * (2 ** (attempt - 1))
        deliver.using(run_after=timezone.now() + delay).enqueue(kind, failed, attempt + 1)
        log.warning(
            "%d %s e-mails not sent; trying again in %s (attempt %d)",
            len(failed),
            kind,
            delay,
            attempt + 1,
        )
    return sent


def _queue(kind: str, pks: list[int]) -> None:
    if pks:
        deliver.enqueue(kind, [int(pk) for pk in pks])


def _one(template: str, extra=None):
    """A sender of ``template`` to each nomination; ``extra(nomination)`` adds to
    the template's context."""

    def send(pks: list[int], retry: bool) -> tuple[int, list[int]]:
        sent, failed = 0, []
        for nomination in _nominations(pks).order_by("pk"):
            try:
                context = extra(nomination) if extra else None
                sent += _send(template, nomination, context, raise_failure=retry)
            except NotSent:
                failed.append(nomination.pk)
        return sent, failed

    return send


def nomination_accepted(pk: int) -> None:
    _queue("accepted", [pk])


def nomination_waitlisted(pk: int) -> None:
    _queue("waitlisted", [pk])


def nomination_rejected(pk: int) -> None:
    _queue("rejected", [pk])


def joining_instructions(pk: int) -> None:
    _queue("joining", [pk])


def nominations_promoted(pks: list[int]) -> None:
    _queue("promoted", list(pks))


def certificate_issued(pk: int) -> None:
    _queue("certificate", [pk])


def _promoted(pks: list[int], retry: bool) -> tuple[int, list[int]]:
    """Tell each nominee promoted from the waiting list (a reallocation may
    promote many at once: one query, one mail connection)."""
    from django.core.mail import get_connection

    nominations = list(_nominations(pks).order_by("pk"))
    sent, failed = 0, []
    try:
        connection = get_connection()
        connection.open()
    except Exception:
        log.exception("could not open the mail connection for %d promotions", len(nominations))
        return 0, [n.pk for n in nominations] if retry else []
    try:
        for nomination in nominations:
            try:
                sent += _send(
                    "promoted",
                    nomination,
                    connection=connection,
                    raise_failure=retry,
                )
            except NotSent:
                failed.append(nomination.pk)
    finally:
        try:
            connection.close()
        except Exception:
            log.exception("could not close the mail connection")
    return sent, failed


def _certificates(pks: list[int], retry: bool) -> tuple[int, list[int]]:
    sent, failed = 0, []
    for pk in pks:
        try:
            sent += _certificate(pk, retry)
        except NotSent:
            failed.append(pk)
    return sent, failed


def _certificate(pk: int, retry: bool) -> bool:
    from .certificates import render_pdf

    certificate = (
        Certificate.objects.select_related(
            "nomination",
            "nomination__participant",
            "nomination__session",
            "nomination__session__course",
        )
        .filter(pk=pk)
        .first()
    )
    if certificate is None:
        return False
    pdf = render_pdf(certificate)
    return _send(
        "certificate",
        certificate.nomination,
        {"certificate": certificate, "verify_url": certificate.verify_url()},
        attach=(f"certificate-{certificate.code}.pdf", pdf, "application/pdf"),
        raise_failure=retry,
    )


def _outlook(session) -> str:
    from .services import waiting_list_outlook

    return waiting_list_outlook(session)


SENDERS = {
    "accepted": _one("accepted"),
    "waitlisted": _one("waitlisted", lambda n: {"outlook": _outlook(n.session)}),
    "rejected": _one("rejected"),
    "joining": _one("joining"),
    "promoted": _promoted,
    "certificate": _certificates,
}

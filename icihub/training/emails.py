"""E-mails of the training app, sent through Django's mail framework (the
console by default, SMTP when ``ICIHUB_EMAIL_HOST`` is set; see settings.py).

The services call these after their transaction commits
(``transaction.on_commit``), with the id of the record, so a message never
announces a change that was rolled back. A failing mail server is logged and
does not undo the change."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from icihub.core.access import Role

from .models import Certificate, Nomination

log = logging.getLogger(__name__)


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


def _send(
    template: str,
    nomination: Nomination,
    extra: dict | None = None,
    attach=None,
    *,
    coordinators: list[str] | None = None,
    connection=None,
) -> bool:
    to = [nomination.participant.email] if nomination.participant.email else []
    if coordinators is None:
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
    except Exception:  # the change stands; the failure is logged for the operator
        log.exception("could not send the %s e-mail for nomination %s", template, nomination.pk)
        return False
    return True


def nomination_accepted(pk: int) -> bool:
    nomination = _nomination(pk)
    return bool(nomination) and _send("accepted", nomination)


def nomination_waitlisted(pk: int) -> bool:
    nomination = _nomination(pk)
    return bool(nomination) and _send("waitlisted", nomination)


def nominations_promoted(pks: list[int]) -> int:
    """Tell each nominee promoted from the waiting list (a reallocation may
    promote many at once: one query, one mail connection). Returns how many
    messages were sent."""
    from django.core.mail import get_connection

    nominations = list(_nominations(pks).order_by("pk"))
    coordinators = _coordinators_by_country(n.country_id for n in nominations)
    sent = 0
    try:
        connection = get_connection()
        connection.open()
    except Exception:
        log.exception("could not open the mail connection for %d promotions", len(nominations))
        return 0
    try:
        for nomination in nominations:
            sent += _send(
                "promoted",
                nomination,
                coordinators=coordinators.get(nomination.country_id, []),
                connection=connection,
            )
    finally:
        try:
            connection.close()
        except Exception:
            log.exception("could not close the mail connection")
    return sent


def nomination_rejected(pk: int) -> bool:
    nomination = _nomination(pk)
    return bool(nomination) and _send("rejected", nomination)


def joining_instructions(pk: int) -> bool:
    nomination = _nomination(pk)
    return bool(nomination) and _send("joining", nomination)


def certificate_issued(pk: int) -> bool:
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
    )

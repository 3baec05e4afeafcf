"""Certificates: codes, issuing, revoking."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from icihub.core import audit
from icihub.core.access import (
    check_change,
)
from icihub.core.errors import Conflict

from ..models import (
    Certificate,
    Evaluation,
    Nomination,
    Session,
)
from ._common import S, _on_commit, _require_staff, _transition, _visible_or_404

# -- certificates ---------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_certificate_code() -> str:
    """A unique, unguessable verification code such as ``K7QF-3MZP-WX2D``."""
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if not Certificate.objects.filter(code=code).exists():
            return code


def normalise_code(code: str) -> str:
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(raw) != 12:
        return (code or "").strip().upper()
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _certificate_blocker(nomination: Nomination) -> str | None:
    if nomination.outcome != Nomination.Outcome.COMPLETED:
        return _("%(name)s has not completed the course.") % {
            "name": nomination.participant.full_name
        }
    if (
        nomination.session.course.level1_evaluation_required
        and not Evaluation.objects.filter(nomination=nomination).exists()
    ):
        return _("%(name)s has not returned the level-1 evaluation the course requires.") % {
            "name": nomination.participant.full_name
        }
    if Certificate.objects.filter(nomination=nomination).exists():
        return _("%(name)s already has a certificate.") % {"name": nomination.participant.full_name}
    return None


def issue_certificate(actor, nomination: Nomination, *, reason: str = "") -> Certificate:
    """Issue the certificate of a nominee who completed the course (and returned
    the level-1 evaluation when the course requires it)."""
    _visible_or_404(actor, nomination)
    _require_staff(actor)
    nomination = Nomination.objects.select_related("session__course", "participant").get(
        pk=nomination.pk
    )
    blocker = _certificate_blocker(nomination)
    if blocker:
        raise Conflict(blocker)
    with audit.acting(actor, reason=reason), transaction.atomic():
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    nomination=nomination, code=new_certificate_code(), issued_by=actor
                )
        except IntegrityError:
            raise Conflict(_("This nominee already has a certificate."))
    from .. import emails

    _on_commit(lambda: emails.certificate_issued(certificate.pk))
    return certificate


def issue_certificates(actor, session: Session, *, reason: str = "") -> tuple[list, list[str]]:
    """Issue every certificate due for ``session``; returns (issued, reasons why
    others were not issued)."""
    check_change(actor, session)
    _require_staff(actor)
    if session.state != Session.State.COMPLETED:
        raise Conflict(_("Certificates are issued once the session is completed."))
    issued, skipped = [], []
    nominations = session.nominations.filter(
        status=S.ACCEPTED, outcome=Nomination.Outcome.COMPLETED, certificate__isnull=True
    ).select_related("participant", "session__course")
    with transaction.atomic():
        for nomination in nominations:
            blocker = _certificate_blocker(nomination)
            if blocker:
                skipped.append(blocker)
                continue
            issued.append(issue_certificate(actor, nomination, reason=reason))
    return issued, skipped


def revoke_certificate(actor, certificate: Certificate, *, reason: str) -> Certificate:
    check_change(actor, certificate)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason for revoking.")})
    if certificate.revoked_at is not None:
        raise Conflict(_("This certificate is already revoked."))
    with audit.acting(actor, reason=reason), transaction.atomic():
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = actor
        certificate.revocation_reason = reason.strip()
        certificate.save()
        _transition(certificate, "valid", True, False, reason)
    return certificate

"""Certificates: codes, issuing, revoking."""

from __future__ import annotations

import secrets
import unicodedata
from urllib.parse import urlsplit

from django.conf import settings
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


CODE_LENGTH = 12  # letters and digits, printed in groups of four


def _code_characters(code: str) -> str:
    """The letters and digits of a typed code, upper case: spaces, dashes (any
    kind), dots and the like dropped; full-width forms and Arabic-Indic digits
    read as the ASCII ones (NFKC, then the digit's value)."""
    out = []
    for ch in unicodedata.normalize("NFKC", code or ""):
        if ch.isdigit():
            out.append(str(unicodedata.digit(ch, 0)))
        elif ch.isalpha():
            out.append(ch.upper())
    return "".join(out)


def normalise_code(code: str) -> str:
    """The code as printed (``K7QF-3MZP-WX2D``) from what someone typed
    (``k7qf 3mzp wx2d``, ``K7QF3MZPWX2D``); anything that cannot be a code
    comes back trimmed and upper case (and matches no certificate)."""
    raw = _code_characters(code)
    if len(raw) != CODE_LENGTH:
        return (code or "").strip().upper()[:40]
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def is_code(code: str) -> bool:
    """Whether ``code`` (typed in any of the ways :func:`normalise_code` reads)
    has the form of a verification code: twelve characters of the alphabet."""
    raw = _code_characters(code)
    return len(raw) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in raw)


def clean_base_url(base_url: str | None) -> str:
    """The scheme and host of ``base_url`` (``https://icihub.example``), or the
    configured ``ICIHUB_BASE_URL`` when none is given or it is not an http(s)
    address with a host."""
    if base_url:
        parts = urlsplit(base_url.strip())
        if parts.scheme in ("http", "https") and parts.netloc and "@" not in parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    return settings.ICIHUB_BASE_URL


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


def issue_certificate(
    actor, nomination: Nomination, *, reason: str = "", base_url: str | None = None
) -> Certificate:
    """Issue the certificate of a nominee who completed the course (and returned
    the level-1 evaluation when the course requires it).

    ``base_url`` is the address it is issued from (the request's scheme and
    host: views and API pass it); without it, the configured ``ICIHUB_BASE_URL``
    (command line, jobs). The printed verification address uses it."""
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
                    nomination=nomination,
                    code=new_certificate_code(),
                    issued_by=actor,
                    base_url=clean_base_url(base_url),
                )
        except IntegrityError:
            raise Conflict(_("This nominee already has a certificate."))
    from .. import emails

    _on_commit(lambda: emails.certificate_issued(certificate.pk))
    return certificate


def issue_certificates(
    actor, session: Session, *, reason: str = "", base_url: str | None = None
) -> tuple[list, list[str]]:
    """Issue every certificate due for ``session``; returns (issued, reasons why
    others were not issued). ``base_url``: as for :func:`issue_certificate`."""
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
            issued.append(issue_certificate(actor, nomination, reason=reason, base_url=base_url))
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

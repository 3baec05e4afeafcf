"""Certificate endpoints and the public check."""

import datetime as dt
from dataclasses import asdict

from django.http import HttpResponse, JsonResponse
from django.utils.translation import ngettext
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from icihub.core.access import get_visible
from icihub.core.apikit import (
    ERRORS,
    READ_ERRORS,
    ErrorOut,
    Id,
    Pagination,
    ValuesOut,
    error_body,
    require_signed_in,
    serve_prebuilt,
)
from icihub.core.text import attach

from .. import selectors, services
from ..certificates import issuing_base_url, verify_attempt
from ..filters import CertificateFilters
from ..models import (
    Certificate,
    Nomination,
    Session,
)
from ._common import CourseRef, ParticipantRef, ReasonIn, SessionRef, _fetch, router

# -- certificates -------------------------------------------------------------------------------


class CertificateOut(Schema):
    id: int
    code: str
    nomination: int
    participant: ParticipantRef
    session: SessionRef
    course: CourseRef
    issued_at: dt.datetime
    revoked_at: dt.datetime | None = None
    revocation_reason: str
    valid: bool
    verify_url: str

    @staticmethod
    def resolve_nomination(obj):
        return obj.nomination_id

    @staticmethod
    def resolve_participant(obj):
        return obj.nomination.participant

    @staticmethod
    def resolve_session(obj):
        return obj.nomination.session

    @staticmethod
    def resolve_course(obj):
        return obj.nomination.session.course

    @staticmethod
    def resolve_valid(obj):
        return obj.is_valid

    @staticmethod
    def resolve_verify_url(obj):
        return obj.verify_url()


class CertificateIn(Schema):
    nomination: Id


class VerifyOut(Schema):
    """The public check: what the certificate prints and its status, the same
    fields as the page ``/verify/<code>``; empty for an unknown code."""

    code: str = Field(description="the code as printed (normalised)")
    state: str = Field(description="valid, revoked or unknown")
    holder: str = Field(description="the holder's name as printed (rank and name, Latin script)")
    holder_ar: str = Field(description="the holder's name in Arabic script, when printed")
    anonymised: bool = Field(
        description="the holder's names were removed after the retention period"
    )
    course_code: str
    course_title: str
    course_title_ar: str
    start: dt.date | None = Field(None, description="first day of the session")
    end: dt.date | None = Field(None, description="last day of the session")
    issued_on: dt.date | None = None
    revoked_on: dt.date | None = None


# The register and the record as values() rows (apikit.ValuesOut): as model
# instances, a page of 50 built 1,750 of them (seven related tables a row) and
# validated 50 schemas, 30 ms at 10x against 4 of SQL. ``valid`` and
# ``verify_url`` are the model's own rules, on an instance of the row's columns.
CERTIFICATE_ROWS = ValuesOut(
    CertificateOut,
    Certificate,
    paths={
        "nomination": "nomination_id",
        "participant": "nomination__participant",
        "participant.country": "nomination__participant__country__iso3",
        "session": "nomination__session",
        "course": "nomination__session__course",
    },
    computed={
        "valid": CertificateOut.resolve_valid,
        "verify_url": CertificateOut.resolve_verify_url,
    },
)


@router.get("/training/certificates", response={200: list[CertificateOut], **READ_ERRORS})
@serve_prebuilt
@paginate(Pagination)
def certificate_list(request, filters: Query[CertificateFilters]):
    user = require_signed_in(request)
    # The page's ids first: SQLite's plan of the six related tables sorted
    # every certificate of a coordinator's country; and those ids read in the
    # register's order (certificates_in_order), counted joined.
    return CERTIFICATE_ROWS.page(
        filters.filter(selectors.certificates_in_order(user)),
        count_qs=filters.filter(selectors.certificates(user)),
        ids_first=True,
    )


@router.get("/training/certificates/{int:pk}", response={200: CertificateOut, **READ_ERRORS})
@serve_prebuilt
def certificate_detail(request, pk: Id):
    user = require_signed_in(request)
    return CERTIFICATE_ROWS.record(_certificate_record, user, pk, models=(Certificate,))


def _certificate_record(scope, pk):
    return selectors.certificates(scope).filter(pk=pk)


@router.get(
    "/training/certificates/{int:pk}/pdf",
    response={200: None, **READ_ERRORS},
    summary="The certificate as PDF",
)
def certificate_pdf(request, pk: Id):
    from ..certificates import render_pdf

    user = require_signed_in(request)
    certificate = get_visible(selectors.certificates(user), user, pk=pk)
    response = HttpResponse(render_pdf(certificate), content_type="application/pdf")
    attach(response, f"certificate-{certificate.code}.pdf")
    return response


@router.post("/training/certificates", response={201: CertificateOut, **ERRORS})
def certificate_issue(request, payload: CertificateIn):
    user = require_signed_in(request)
    nomination = get_visible(Nomination, user, pk=payload.nomination)
    certificate = services.issue_certificate(user, nomination, base_url=issuing_base_url(request))
    return Status(201, _fetch(selectors.certificates(user), certificate))


@router.post(
    "/training/sessions/{int:pk}/certificates",
    response={200: list[CertificateOut], **ERRORS},
    summary="Issue every certificate due for a completed session",
)
def session_certificates(request, pk: Id):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=pk)
    issued, _skipped = services.issue_certificates(
        user, session, base_url=issuing_base_url(request)
    )
    return list(selectors.certificates(user).filter(pk__in=[c.pk for c in issued]))


@router.post("/training/certificates/{int:pk}/revoke", response={200: CertificateOut, **ERRORS})
def certificate_revoke(request, pk: Id, payload: ReasonIn):
    user = require_signed_in(request)
    certificate = get_visible(Certificate, user, pk=pk)
    services.revoke_certificate(user, certificate, reason=payload.reason)
    return _fetch(selectors.certificates(user), certificate)


@router.get(
    "/training/verify/{code}",
    response={200: VerifyOut, 429: ErrorOut, **READ_ERRORS},
    auth=None,
    summary="Public check of a certificate code: what it prints and whether it is valid",
    description=(
        "The holder's name, the course and the dates as printed, and the state: valid, "
        "revoked (with its date) or unknown. Spaces, dashes and case in the code do not "
        "matter. Limited per address with the page /verify/<code> "
        "(ICIHUB_VERIFY_RATE per ICIHUB_VERIFY_RATE_WINDOW seconds): 429 beyond."
    ),
)
def verify(request, code: str):
    attempt = verify_attempt(request)
    if not attempt.allowed:
        detail = ngettext(
            "Too many certificate checks: try again in %(s)d second.",
            "Too many certificate checks: try again in %(s)d seconds.",
            attempt.retry_after,
        ) % {"s": attempt.retry_after}
        response = JsonResponse(error_body(detail, "rate_limited"), status=429)
        response["Retry-After"] = str(attempt.retry_after)
        return response
    check = selectors.certificate_check(services.normalise_code(code))
    return asdict(check)

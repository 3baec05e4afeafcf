"""Certificate endpoints and the public check."""

import datetime as dt

from django.http import HttpResponse
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from icihub.core.access import get_visible
from icihub.core.apikit import (
    ERRORS,
    READ_ERRORS,
    Id,
    Pagination,
    require_signed_in,
)
from icihub.core.text import attach

from .. import selectors, services
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
    code: str
    state: str = Field(description="valid, revoked or unknown")


@router.get("/training/certificates", response={200: list[CertificateOut], **READ_ERRORS})
@paginate(Pagination)
def certificate_list(request, filters: Query[CertificateFilters]):
    user = require_signed_in(request)
    return filters.filter(selectors.certificates(user))


@router.get("/training/certificates/{int:pk}", response={200: CertificateOut, **READ_ERRORS})
def certificate_detail(request, pk: Id):
    user = require_signed_in(request)
    return get_visible(selectors.certificates(user), user, pk=pk)


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
    certificate = services.issue_certificate(user, nomination)
    return Status(201, _fetch(selectors.certificates(user), certificate))


@router.post(
    "/training/sessions/{int:pk}/certificates",
    response={200: list[CertificateOut], **ERRORS},
    summary="Issue every certificate due for a completed session",
)
def session_certificates(request, pk: Id):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=pk)
    issued, _skipped = services.issue_certificates(user, session)
    return list(selectors.certificates(user).filter(pk__in=[c.pk for c in issued]))


@router.post("/training/certificates/{int:pk}/revoke", response={200: CertificateOut, **ERRORS})
def certificate_revoke(request, pk: Id, payload: ReasonIn):
    user = require_signed_in(request)
    certificate = get_visible(Certificate, user, pk=pk)
    services.revoke_certificate(user, certificate, reason=payload.reason)
    return _fetch(selectors.certificates(user), certificate)


@router.get(
    "/training/verify/{code}",
    response={200: VerifyOut, **READ_ERRORS},
    auth=None,
    summary="Public check of a certificate code: valid, revoked or unknown, nothing more",
)
def verify(request, code: str):
    normal = services.normalise_code(code)
    return {"code": normal, "state": selectors.certificate_state(normal) or "unknown"}

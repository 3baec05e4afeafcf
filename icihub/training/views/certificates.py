"""Certificates: lists, PDFs, revoking, issuing per session, the public check
(``/verify/``: the form; ``/verify/<code>``: the result)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from icihub.core import audit
from icihub.core.access import (
    STAFF_ROLES,
    can_change,
    get_visible,
    require_role,
)
from icihub.core.errors import Conflict
from icihub.core.listing import Filter, ListPage
from icihub.core.text import attach

from .. import selectors, services
from ..certificates import issuing_base_url, verify_attempt
from ..filters import CertificatePageFilters
from ..forms import (
    RequiredReasonForm,
    VerifyForm,
)
from ..models import (
    Certificate,
    Session,
)
from ._common import _act, _country_choices, _year_choices

# -- certificates ---------------------------------------------------------------------------

CERTIFICATE_LIST = ListPage(
    template="training/certificate_list.html",
    results_template="training/_certificate_results.html",
    search_fields=[
        "code",
        "nomination__participant__search_text",
        "nomination__session__reference",
    ],
    filterset=CertificatePageFilters,
    ids_first=True,
    filters=[
        Filter(
            "state",
            gettext_lazy("State"),
            choices=[("valid", gettext_lazy("valid")), ("revoked", gettext_lazy("revoked"))],
        ),
        Filter("year", gettext_lazy("Year"), choices=_year_choices),
        Filter("country", gettext_lazy("Country"), choices=_country_choices),
    ],
)


@login_required
def certificate_list(request):
    """The register of issued and revoked certificates."""
    qs = selectors.certificates(request.user).annotate(
        state=Case(
            When(revoked_at__isnull=True, then=Value("valid")),
            default=Value("revoked"),
            output_field=CharField(),
        )
    )
    return CERTIFICATE_LIST.render(request, qs)


@login_required
def certificate_detail(request, pk):
    certificate = get_visible(selectors.certificates(request.user), request.user, pk=pk)
    return render(
        request,
        "training/certificate_detail.html",
        {
            "certificate": certificate,
            "can_revoke": certificate.is_valid and can_change(request.user, certificate),
            "form": RequiredReasonForm(),
        },
    )


@login_required
def certificate_pdf(request, pk):
    from ..certificates import render_pdf

    certificate = get_visible(selectors.certificates(request.user), request.user, pk=pk)
    pdf = render_pdf(certificate)
    audit.log_event(audit.Action.EXPORT, certificate, message="certificate PDF", actor=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    attach(response, f"certificate-{certificate.code}.pdf")
    return response


@login_required
@require_POST
def certificate_revoke(request, pk):
    certificate = get_visible(Certificate, request.user, pk=pk)
    _act(
        request,
        lambda: services.revoke_certificate(
            request.user, certificate, reason=request.POST.get("reason", "")
        ),
        _("Certificate revoked."),
    )
    return redirect("training:certificate_detail", pk=certificate.pk)


@login_required
@require_POST
def session_certify(request, pk):
    """Issue every certificate due for the session, and say what happened: how
    many were issued and why the others were not (each missing evaluation is
    listed with its link on the session page). Never a success with none done."""
    session = get_visible(Session, request.user, pk=pk)
    try:
        issued, skipped = services.issue_certificates(
            request.user, session, base_url=issuing_base_url(request)
        )
    except (ValidationError, Conflict) as exc:
        for text in exc.messages if isinstance(exc, ValidationError) else [str(exc)]:
            messages.error(request, text)
        return redirect(session.get_absolute_url())
    n = len(issued)
    if n:
        messages.success(
            request,
            ngettext("%(n)d certificate issued.", "%(n)d certificates issued.", n) % {"n": n},
        )
    elif not skipped:
        messages.info(request, _("No certificate was due: none issued."))
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(n)d certificate was not issued:",
                "%(n)d certificates were not issued:",
                len(skipped),
            )
            % {"n": len(skipped)}
            + " "
            + " ".join(skipped[:10]),
        )
    return redirect(f"{session.get_absolute_url()}#lifecycle")


@login_required
def session_certificates_zip(request, pk):
    from ..certificates import certificates_zip

    session = get_visible(Session, request.user, pk=pk)
    require_role(request.user, *STAFF_ROLES)
    certificates = list(
        selectors.certificates(request.user).filter(
            nomination__session=session, revoked_at__isnull=True
        )
    )
    if not certificates:
        messages.error(request, _("No certificates to download yet."))
        return redirect(session.get_absolute_url())
    body = certificates_zip(certificates)
    audit.log_event(
        audit.Action.EXPORT,
        session,
        message=f"certificates ZIP: {len(certificates)} certificates",
        actor=request.user,
    )
    response = HttpResponse(body, content_type="application/zip")
    attach(response, f"certificates-{session.reference}.zip")
    return response


def _verify_page(request, context: dict, status: int = 200):
    response = render(request, "training/verify.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"  # a certificate may be revoked tomorrow
    return response


def verify_form(request):
    """Public: the form where a code is typed. A well-formed code goes to its
    result page (``/verify/<code>``), which counts the attempt."""
    if "code" not in request.GET:
        return _verify_page(request, {"form": VerifyForm()})
    form = VerifyForm(request.GET)
    if form.is_valid():
        return redirect("verify_certificate", code=form.cleaned_data["code"])
    return _verify_page(request, {"form": form})


def verify_certificate(request, code):
    """Public: what the certificate with this code prints (the holder's name,
    the course, the dates) and whether it is valid or revoked, nothing more.
    Attempts are limited per address (429 beyond)."""
    attempt = verify_attempt(request)
    if not attempt.allowed:
        response = _verify_page(
            request,
            {"form": VerifyForm(), "retry_after": attempt.retry_after, "limited": True},
            status=429,
        )
        response["Retry-After"] = str(attempt.retry_after)
        return response
    normal = services.normalise_code(code)
    check = selectors.certificate_check(normal)
    return _verify_page(
        request,
        {"form": VerifyForm(initial={"code": normal}), "check": check},
        status=200 if check.found else 404,
    )

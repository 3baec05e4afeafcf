"""Nominating, and the decisions on a nomination."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from icihub.core.access import (
    Role,
    can_change,
    get_visible,
    is_staff,
    role_of,
)
from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors
from icihub.core.viewkit import safe_next
from icihub.partners.selectors import eligible_countries

from .. import permissions, selectors, services
from ..forms import (
    NominateForm,
    ReasonForm,
    SubstituteForm,
)
from ..models import (
    Evaluation,
    Nomination,
    Session,
)
from ._common import _act

# -- nominating ------------------------------------------------------------------------------


@login_required
def session_nominate(request, pk):
    """A coordinator (or staff) nominates people in priority order."""
    user = request.user
    session = get_visible(selectors.sessions(user), user, pk=pk)
    if not permissions.nominates(user):
        raise PermissionDenied
    taken = session.nominations.filter(status__in=Nomination.ACTIVE).values("participant_id")
    eligible = eligible_countries(session.course, on=session.start)
    candidates = (
        selectors.participants(user)
        .filter(country__in=eligible, anonymised_at__isnull=True)
        .exclude(pk__in=taken)
        .order_by("country__name", "family_name", "given_name")
    )
    query = request.GET.get("q", "").strip()
    if query:
        from icihub.core.listing import search

        candidates = search(candidates, query, ["search_text"])
    candidates = list(candidates[:300])
    form = NominateForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        people = form.people_in_order()
        try:
            made = services.nominate_many(user, session, people, reason=form.cleaned_data["reason"])
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            seats = sum(1 for n in made if n.has_seat)
            waiting = len(made) - seats
            messages.success(
                request,
                _("%(n)d nominated: %(s)d with a seat, %(w)d on the waiting list.")
                % {"n": len(made), "s": seats, "w": waiting},
            )
            return redirect(session.get_absolute_url())
    own_seats = selectors.seat_table(session, user)
    return render(
        request,
        "training/session_nominate.html",
        {
            "session": session,
            "form": form,
            "candidates": [(p, form[f"priority_{p.pk}"]) for p in candidates],
            "query": query,
            "seat_rows": own_seats,
            "open": session.accepts_nominations(),
        },
    )


def substitute_candidates(user, nomination):
    """Who may replace this nominee: people of the nomination's country that
    ``user`` sees, not anonymised, not already nominated to the session."""
    taken = nomination.session.nominations.filter(status__in=Nomination.ACTIVE).values(
        "participant_id"
    )
    return (
        selectors.participants(user)
        .filter(country_id=nomination.country_id, anonymised_at__isnull=True)
        .exclude(pk__in=taken)
        .order_by("family_name", "given_name", "pk")
    )


def _nomination(request, pk):
    return get_visible(selectors.nominations(request.user), request.user, pk=pk)


def nomination_detail(request, pk):
    if not request.user.is_authenticated:
        raise Http404
    user = request.user
    nomination = get_visible(
        selectors.with_certificates(
            selectors.nominations(user).select_related(
                "nominated_by", "decided_by", "withdrawn_by", "substitute_for__participant"
            ),
            user,
        ),
        user,
        pk=pk,
    )
    staff = is_staff(user)
    session = nomination.session
    may_change = nomination.is_active and can_change(user, nomination)  # read once
    substitutes = None
    if permissions.can_substitute(user, nomination, session, may_change=may_change):
        substitutes = substitute_candidates(user, nomination)
    try:
        evaluation = nomination.evaluation
    except Evaluation.DoesNotExist:
        evaluation = None
    certificate = nomination.visible_certificate  # through the Certificate policy
    own = role_of(user) == Role.PARTICIPANT and nomination.participant.user_id == user.pk
    context = {
        "nomination": nomination,
        "session": nomination.session,
        "can_accept": permissions.can_accept(user, nomination, session),
        "can_reject": permissions.can_reject(user, nomination, session),
        "can_withdraw": permissions.can_withdraw(user, nomination, session, may_change=may_change),
        "substitute_form": SubstituteForm(
            candidates=substitutes,
            search_url=reverse("training:nomination_substitute_search", args=[nomination.pk]),
        )
        if substitutes is not None
        else None,
        "evaluation": evaluation if (staff or own) else None,
        "can_evaluate": (
            nomination.status == Nomination.Status.ACCEPTED
            and evaluation is None
            and nomination.session.state in (Session.State.RUNNING, Session.State.COMPLETED)
            and (staff or own)
            and services.attended(nomination)
        ),
        "certificate": certificate,
        "certificate_issued": nomination.certificate_issued,
        "can_certify": staff
        and nomination.outcome == Nomination.Outcome.COMPLETED
        and not nomination.certificate_issued,
    }
    return render(request, "training/nomination_detail.html", context)


@login_required
@require_POST
def nomination_accept(request, pk):
    nomination = _nomination(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _act(
        request,
        lambda: services.accept(request.user, nomination, reason=reason),
        _("%(n)s accepted.") % {"n": nomination.participant.full_name},
    )
    return redirect(safe_next(request, nomination.get_absolute_url()))


@login_required
@require_POST
def nomination_reject(request, pk):
    nomination = _nomination(request, pk)
    reason = request.POST.get("reason", "")
    _act(
        request,
        lambda: services.reject(request.user, nomination, reason=reason),
        _("%(n)s rejected.") % {"n": nomination.participant.full_name},
    )
    return redirect(safe_next(request, nomination.get_absolute_url()))


@login_required
@require_POST
def nomination_withdraw(request, pk):
    nomination = _nomination(request, pk)
    reason = request.POST.get("reason", "")
    _act(
        request,
        lambda: services.withdraw(request.user, nomination, reason=reason),
        _("%(n)s withdrawn.") % {"n": nomination.participant.full_name},
    )
    return redirect(safe_next(request, nomination.get_absolute_url()))


@login_required
@require_POST
def nomination_substitute(request, pk):
    nomination = _nomination(request, pk)
    services.check_substitute(request.user, nomination)  # 403 before reading the form
    form = SubstituteForm(
        request.POST,
        candidates=selectors.participants(request.user).filter(country_id=nomination.country_id),
    )
    if not form.is_valid():
        messages.error(request, _("Choose the substitute."))
        return redirect(nomination.get_absolute_url())
    result = {}

    def run():
        result["n"] = services.substitute(
            request.user,
            nomination,
            form.cleaned_data["participant"],
            reason=form.cleaned_data["reason"],
        )

    if _act(request, run, _("Substitute recorded: the seat is kept.")):
        return redirect(result["n"].get_absolute_url())
    return redirect(nomination.get_absolute_url())


@login_required
@require_POST
def nomination_certify(request, pk):
    nomination = _nomination(request, pk)
    _act(
        request,
        lambda: services.issue_certificate(request.user, nomination),
        _("Certificate issued."),
    )
    return redirect(safe_next(request, nomination.get_absolute_url()))

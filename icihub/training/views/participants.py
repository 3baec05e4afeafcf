"""Participant pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from icihub.core.access import (
    can_change,
    check_change,
    get_visible,
)
from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors
from icihub.core.listing import Filter, ListPage

from .. import exports, permissions, privacy, selectors, services
from ..filters import ParticipantFilters
from ..forms import (
    ParticipantForm,
)
from ..models import (
    Participant,
)
from ..privacy_views import participant_privacy_context
from ._common import _country_choices

# -- participants -------------------------------------------------------------------------

PARTICIPANT_LIST = ListPage(
    template="training/participant_list.html",
    results_template="training/_participant_results.html",
    filterset=ParticipantFilters,
    filters=[
        Filter("country", gettext_lazy("Country"), choices=_country_choices),
        Filter("service", gettext_lazy("Service"), choices=Participant.Service.choices),
        Filter("rank_code", gettext_lazy("NATO rank code"), choices=Participant.RankCode.choices),
    ],
)


@login_required
def participant_list(request):
    return PARTICIPANT_LIST.render(
        request,
        selectors.participants(request.user),
        {
            "can_create": permissions.can_record_people(request.user),
            "can_anonymise": privacy.can_anonymise(request.user),
        },
    )


@login_required
def participant_export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = (exports.participant_row(p) for p in selectors.participants(request.user).iterator())
    return exports.respond(
        request.user,
        "participants",
        exports.PARTICIPANT_HEADER,
        rows,
        fmt,
        description="participants",
    )


@login_required
def participant_detail(request, pk):
    participant = get_visible(selectors.participants(request.user), request.user, pk=pk)
    nominations = selectors.with_certificates(
        selectors.nominations(request.user).filter(participant=participant),
        request.user,
    ).order_by("-session__start")
    return render(
        request,
        "training/participant_detail.html",
        {
            "participant": participant,
            "nominations": nominations,
            "can_edit": can_change(request.user, participant),
            **participant_privacy_context(request.user, participant),
        },
    )


def _participant_data(form) -> dict:
    data = dict(form.cleaned_data)
    if "user" not in form.fields:
        data.pop("user", None)
    return data


@login_required
def participant_create(request):
    if not permissions.can_record_people(request.user):
        raise PermissionDenied
    form = ParticipantForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.create_participant(request.user, _participant_data(form))
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)s recorded.") % {"n": participant.full_name})
            return redirect(participant.get_absolute_url())
    return render(
        request,
        "training/form.html",
        {
            "form": form,
            "title": _("New participant"),
            "lead": _(
                "One person is one participant: a person already recorded (same "
                "country and e-mail, or same name not contradicted by e-mail or date "
                "of birth) is refused and pointed to."
            ),
            "cancel": reverse("training:participant_list"),
        },
    )


@login_required
def participant_edit(request, pk):
    participant = get_visible(Participant, request.user, pk=pk)
    check_change(request.user, participant)
    initial = {
        name: getattr(participant, name) for name in ParticipantForm.base_fields if name != "user"
    }
    initial["country"] = participant.country.iso3
    initial["user"] = participant.user.username if participant.user else None
    form = ParticipantForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_participant(request.user, participant, _participant_data(form))
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(participant.get_absolute_url())
    return render(
        request,
        "training/form.html",
        {
            "form": form,
            "title": _("Edit %(n)s") % {"n": participant.full_name},
            "cancel": participant.get_absolute_url(),
            "object": participant,
        },
    )

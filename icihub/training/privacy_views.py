"""Pages of the participants' personal data (``icihub.training.privacy``): the
export of one participant's data (staff and the participant's coordinator from
the participant's page, the participant from "My training"), and the
anonymisation after the retention period (staff: the list of participants due,
one or all of them, with a reason and a confirmation; an administrator may
override the retention period for one participant). Thin: the rules live in
``privacy``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from icihub.core.access import get_visible
from icihub.core.errors import Conflict
from icihub.core.text import attach

from . import privacy, selectors
from .models import Participant


class AnonymiseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        initial=gettext_lazy("Retention period elapsed"),
        help_text=gettext_lazy("Recorded in the audit trail with the anonymisation."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that the personal data are removed for good: this cannot be undone."
        ),
        required=True,
    )


class OverrideForm(AnonymiseForm):
    """An administrator anonymising before the retention date."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        help_text=gettext_lazy(
            "Why the personal data go before the retention date (e.g. the person's request); "
            "recorded in the audit trail."
        ),
    )
    before_due = forms.BooleanField(
        label=gettext_lazy("Anonymise before the retention date (administrator's override)."),
        required=True,
    )


def _download(result: privacy.ExportFile) -> HttpResponse:
    response = HttpResponse(result.content, content_type=result.content_type)
    attach(response, result.filename)
    response["X-Icihub-Marking"] = result.marking
    response["Cache-Control"] = "no-store"
    return response


def _refused(request, exc: ValidationError | Conflict) -> None:
    """The service's refusal, as error messages on the page."""
    for text in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, text)


def _format(fmt: str) -> str:
    if fmt not in privacy.EXPORT_FORMATS:
        raise Http404
    return fmt


@login_required
def participant_data_export(request, pk, fmt):
    """Everything recorded about one participant (JSON, or ZIP with the certificates)."""
    fmt = _format(fmt)
    participant = get_visible(selectors.participants(request.user), request.user, pk=pk)
    return _download(privacy.export_file(request.user, participant, fmt))


@login_required
def my_data_export(request, fmt):
    """A participant's own data."""
    fmt = _format(fmt)
    participant = privacy.own_participant(request.user)
    return _download(privacy.export_file(request.user, participant, fmt))


@login_required
def anonymisation_due(request):
    """The participants due for anonymisation; anonymise them all (POST)."""
    privacy.check_anonymise(request.user)
    form = AnonymiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = privacy.anonymise_due(request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, Conflict) as exc:
            _refused(request, exc)
        else:
            redacted = sum(r.audit_entries for r in done)
            messages.success(
                request,
                _("%(participants)s; %(entries)s.")
                % {
                    "participants": ngettext(
                        "%(n)d participant anonymised", "%(n)d participants anonymised", len(done)
                    )
                    % {"n": len(done)},
                    "entries": ngettext(
                        "%(e)d audit entry redacted", "%(e)d audit entries redacted", redacted
                    )
                    % {"e": redacted},
                },
            )
            return redirect("training:anonymisation_due")
    qs = privacy.due(request.user)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "training/anonymisation_due.html",
        {
            "page_obj": page,
            "object_list": page.object_list,
            "total": page.paginator.count,
            "years": privacy.retention_years(),
            "cutoff": privacy.cutoff(),
            "form": form,
        },
    )


@login_required
def participant_anonymise(request, pk):
    """Where one participant stands; anonymise them (POST) when due."""
    privacy.check_anonymise(request.user)
    participant = get_visible(selectors.participants(request.user), request.user, pk=pk)
    state = privacy.retention(participant)
    override = (
        not state.is_due and state.allows(before_due=True) and privacy.can_override(request.user)
    )
    form = (OverrideForm if override else AnonymiseForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = privacy.anonymise(
                request.user,
                participant,
                reason=form.cleaned_data["reason"],
                before_due=bool(form.cleaned_data.get("before_due")),
            )
        except (ValidationError, Conflict) as exc:
            _refused(request, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Participant anonymised; %(e)d audit entry redacted.",
                    "Participant anonymised; %(e)d audit entries redacted.",
                    result.audit_entries,
                )
                % {"e": result.audit_entries},
            )
            return redirect(reverse("training:participant_detail", args=[participant.pk]))
    return render(
        request,
        "training/participant_anonymise.html",
        {"participant": participant, "state": state, "form": form, "override": override},
    )


def participant_privacy_context(user, participant: Participant) -> dict:
    """What the participant page shows of this (export links, anonymisation)."""
    return {
        "can_export_data": privacy.can_export(user),
        "can_anonymise": privacy.can_anonymise(user) and not participant.is_anonymised,
    }

"""Attendance, completion and the evaluation form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from icihub.core.access import (
    Role,
    get_visible,
    role_of,
)
from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors

from .. import selectors, services
from ..forms import (
    EvaluationForm,
)
from ..models import (
    Nomination,
    Session,
)
from ._common import _act
from .nominations import _nomination

# -- attendance, completion, evaluation ------------------------------------------------------


@login_required
def session_attendance(request, pk):
    user = request.user
    session = get_visible(selectors.sessions(user), user, pk=pk)
    if not services.can_take_attendance(user, session):
        raise PermissionDenied(_("Instructors record attendance for their own sessions only."))
    nominations = list(
        session.nominations.filter(status=Nomination.Status.ACCEPTED)
        .select_related("participant", "country")
        .prefetch_related("attendance")
        .order_by("country__name", "participant__family_name")
    )
    days = session.days
    if request.method == "POST":
        # "All present" for a day (the button of pages without JavaScript; with
        # it, the column's checkbox ticks the day in the page): that day is
        # marked for everyone, the rest of the grid as ticked; one save.
        everyone = {day for day in days if request.POST.get("all_present") == f"{day:%Y%m%d}"}
        marks = {}
        for nomination in nominations:
            marks[nomination.pk] = everyone | {
                day for day in days if request.POST.get(f"p-{nomination.pk}-{day:%Y%m%d}")
            }
        if _act(
            request,
            lambda: services.record_attendance(user, session, marks),
            _("Attendance saved."),
        ):
            return redirect(reverse("training:session_attendance", args=[session.pk]))
    rows = []
    for nomination in nominations:
        present = {a.day: a.present for a in nomination.attendance.all()}
        rows.append(
            {
                "nomination": nomination,
                "cells": [
                    {
                        "day": day,
                        "name": f"p-{nomination.pk}-{day:%Y%m%d}",
                        "present": present.get(day),
                    }
                    for day in days
                ],
            }
        )
    return render(
        request,
        "training/session_attendance.html",
        {
            "session": session,
            "days": days,
            "rows": rows,
            "editable": session.state == Session.State.RUNNING,
            "rule": session.course.min_attendance_percent,
        },
    )


@login_required
def evaluation_form(request, pk):
    nomination = _nomination(request, pk)
    services.evaluation_source(request.user, nomination)  # 403 before showing the form
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_evaluation(
                request.user, nomination, form.scores(), comments=form.cleaned_data["comments"]
            )
        except PermissionDenied:
            raise
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: the evaluation is recorded."))
            if role_of(request.user) == Role.PARTICIPANT:
                return redirect("training:my_training")
            return redirect(nomination.session.get_absolute_url())
    return render(
        request,
        "training/evaluation_form.html",
        {"form": form, "nomination": nomination, "session": nomination.session},
    )

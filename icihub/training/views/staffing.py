"""Instructors and their trips."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
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

from .. import selectors, services
from ..filters import InstructorFilters
from ..forms import (
    InstructorForm,
    TripForm,
)
from ..models import (
    Instructor,
    Session,
)
from ._common import _can_create

# -- instructors and trips -----------------------------------------------------------------


def _organisation_choices(request):
    from icihub.partners.models import Organisation

    ids = Instructor.objects.visible_to(request.user).values("organisation_id")
    return [(o.slug, str(o)) for o in Organisation.objects.filter(pk__in=ids).order_by("name")]


INSTRUCTOR_LIST = ListPage(
    template="training/instructor_list.html",
    results_template="training/_instructor_results.html",
    search_fields=["full_name", "name_ar", "organisation__name", "organisation__acronym"],
    filterset=InstructorFilters,
    filters=[
        Filter("organisation", gettext_lazy("Home organisation"), choices=_organisation_choices),
    ],
)


@login_required
def instructor_list(request):
    return INSTRUCTOR_LIST.render(
        request,
        selectors.instructors_with_counts(request.user).order_by("full_name", "pk"),
        {"can_create": _can_create(request.user, Instructor)},
    )


@login_required
def instructor_detail(request, pk):
    instructor = get_visible(selectors.instructors(request.user), request.user, pk=pk)
    return render(
        request,
        "training/instructor_detail.html",
        {
            "instructor": instructor,
            "assignments": selectors.assignments(request.user)
            .filter(instructor=instructor)
            .order_by("-session__start"),
            "trips": selectors.trips(request.user).filter(instructor=instructor),
            "can_edit": can_change(request.user, instructor),
        },
    )


def _instructor_form_page(request, form, save, title, cancel, obj=None):
    if request.method == "POST" and form.is_valid():
        try:
            instructor = save(dict(form.cleaned_data))
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(instructor.get_absolute_url())
    return render(
        request,
        "training/form.html",
        {"form": form, "title": title, "cancel": cancel, "object": obj},
    )


@login_required
def instructor_create(request):
    if not _can_create(request.user, Instructor):
        raise PermissionDenied
    return _instructor_form_page(
        request,
        InstructorForm(request.POST or None),
        lambda data: services.create_instructor(request.user, data),
        _("New instructor or expert"),
        reverse("training:instructor_list"),
    )


@login_required
def instructor_edit(request, pk):
    instructor = get_visible(Instructor, request.user, pk=pk)
    check_change(request.user, instructor)
    return _instructor_form_page(
        request,
        InstructorForm(request.POST or None, instance=instructor),
        lambda data: services.update_instructor(request.user, instructor, data),
        _("Edit %(n)s") % {"n": instructor.full_name},
        instructor.get_absolute_url(),
        instructor,
    )


@login_required
def trip_create(request, pk):
    instructor = get_visible(Instructor, request.user, pk=pk)
    check_change(request.user, instructor)
    sessions = (
        Session.objects.filter(assignments__instructor=instructor)
        .select_related("course")
        .order_by("-start")
    )
    form = TripForm(request.POST or None, sessions=sessions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_trip(
                request.user,
                instructor,
                origin=data["origin"],
                arrival=data["arrival"],
                departure=data["departure"],
                sessions=list(data["sessions"]),
                notes=data["notes"],
            )
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Trip recorded."))
            return redirect(instructor.get_absolute_url())
    return render(
        request,
        "training/form.html",
        {
            "form": form,
            "title": _("New trip of %(n)s") % {"n": instructor.full_name},
            "cancel": instructor.get_absolute_url(),
        },
    )

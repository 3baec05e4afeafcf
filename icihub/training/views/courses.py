"""The catalogue pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
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
from icihub.core.models import Citation
from icihub.menu.models import Activity

from .. import selectors, services
from ..filters import CoursePageFilters
from ..forms import (
    CourseForm,
)
from ..models import (
    EVALUATION_QUESTIONS,
    Course,
    Session,
)
from ._common import _area_choices, _can_create

# -- the catalogue --------------------------------------------------------------------------

COURSE_LIST = ListPage(
    template="training/course_list.html",
    results_template="training/_course_results.html",
    filterset=CoursePageFilters,
    filters=[
        Filter("area", gettext_lazy("Area"), choices=_area_choices),
        Filter("delivery", gettext_lazy("Delivery"), choices=Course.Delivery.choices),
        Filter("level", gettext_lazy("Level"), choices=Activity.Level.choices),
        Filter("status", gettext_lazy("Status"), choices=Activity.Status.choices),
    ],
)


def course_list(request):
    return COURSE_LIST.render(
        request,
        selectors.courses(request.user),
        {"can_create": _can_create(request.user, Course)},
    )


def course_detail(request, pk):
    citations = Prefetch(
        "citations", queryset=Citation.objects.visible_to(request.user).select_related("source")
    )
    course = get_visible(
        selectors.courses(request.user).prefetch_related(citations), request.user, pk=pk
    )
    sessions = selectors.sessions(request.user).filter(course=course).order_by("-start")
    context = {
        "course": course,
        "sessions": sessions,
        "can_edit": can_change(request.user, course),
        "can_schedule": _can_create(request.user, Session) and course.status == "active",
        "evaluation": selectors.course_evaluation_summary(course)
        if selectors.can_see_course_evaluations(request.user)
        else None,
        "questions": EVALUATION_QUESTIONS,
    }
    return render(request, "training/course_detail.html", context)


def _course_form_page(request, form, save, title, cancel, obj=None):
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            course = save(data)
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Course “%(c)s” saved.") % {"c": course.code})
            return redirect("training:course_detail", pk=course.pk)
    return render(
        request,
        "training/form.html",
        {"form": form, "title": title, "cancel": cancel, "object": obj},
    )


@login_required
def course_create(request):
    if not _can_create(request.user, Course):
        raise PermissionDenied
    form = CourseForm(request.POST or None)
    return _course_form_page(
        request,
        form,
        lambda data: services.create_course(request.user, data),
        _("New course"),
        reverse("training:course_list"),
    )


@login_required
def course_edit(request, pk):
    course = get_visible(Course, request.user, pk=pk)
    check_change(request.user, course)
    form = CourseForm(request.POST or None, instance=course)
    return _course_form_page(
        request,
        form,
        lambda data: services.update_course(request.user, course, data),
        _("Edit %(c)s") % {"c": course.code},
        course.get_absolute_url(),
        course,
    )

"""Session pages: the record, its form, quotas, the lifecycle and staffing actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from icihub.core.access import (
    can_change,
    check_change,
    get_visible,
    is_staff,
)
from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors
from icihub.core.listing import Filter, ListPage
from icihub.partners.selectors import eligible_countries

from .. import permissions, selectors, services
from ..filters import SessionPageFilters
from ..forms import (
    AssignmentForm,
    QuotaForm,
    SessionForm,
    StateForm,
)
from ..models import (
    EVALUATION_QUESTIONS,
    Assignment,
    Course,
    Session,
)
from ._common import _act, _area_choices, _can_create, _year_choices

# -- sessions ---------------------------------------------------------------------------------

SESSION_LIST = ListPage(
    template="training/session_list.html",
    results_template="training/_session_results.html",
    search_fields=["course__search_text", "reference", "venue"],
    filterset=SessionPageFilters,
    filters=[
        Filter("state", gettext_lazy("State"), choices=Session.State.choices),
        Filter("year", gettext_lazy("Year"), choices=_year_choices),
        Filter("area", gettext_lazy("Area"), choices=_area_choices),
    ],
    orderings={"start": "start,pk", "-start": "-start,-pk"},
)


def session_list(request):
    qs = selectors.sessions(request.user).order_by("-start", "-pk")
    return SESSION_LIST.render(request, qs, {"can_create": _can_create(request.user, Session)})


REALLOCATION_RULE = gettext_lazy(
    "On the reallocation date the country quotas are released and each free seat "
    "goes to a waiting nominee of an eligible country: first to the country holding "
    "the fewest seats in the session (round-robin across countries; ties to the "
    "country whose next nominee was nominated earliest), and within a country by "
    "the country's priority, then by the time of nomination."
)


def session_detail(request, pk):
    user = request.user
    session = get_visible(selectors.sessions(user), user, pk=pk)
    nominations = list(selectors.session_nomination_rows(session, user))
    manage = is_staff(user) and can_change(user, session)
    context = {
        "session": session,
        "course": session.course,
        "nominations": nominations,
        "seat_rows": selectors.seat_table(session, user),
        "assignments": selectors.assignments(user).filter(session=session),
        "trips": selectors.trips(user).filter(sessions=session),
        "manage": manage,
        "can_decide": permissions.can_decide(user),
        "can_withdraw": permissions.nominates(user),
        "can_nominate": permissions.can_nominate(user, session),
        "can_attend": session.state == Session.State.RUNNING
        and services.can_take_attendance(user, session),
        "evaluation": selectors.evaluation_summary(session)
        if selectors.can_see_evaluations(user, session)
        else None,
        "questions": EVALUATION_QUESTIONS,
        "state_form": StateForm(
            initial={"state": session.state},
        )
        if manage
        else None,
        "next_states": [
            (state.value, state.label)
            for state in Session.State
            if state in services.TRANSITIONS[session.state]
        ],
        "reallocation_rule": REALLOCATION_RULE,
        "today": timezone.localdate(),
        "certificates": sum(1 for n in nominations if n.issued_certificate),
    }
    if manage:
        context["assign_form"] = AssignmentForm(
            instructors=selectors.instructors(user).filter(is_active=True),
            search_url=reverse("training:session_instructor_search", args=[session.pk]),
        )
    return render(request, "training/session_detail.html", context)


@login_required
def session_create(request, course_pk):
    course = get_visible(Course, request.user, pk=course_pk)
    if not _can_create(request.user, Session):
        raise PermissionDenied
    form = SessionForm(request.POST or None, initial={"capacity": course.default_capacity})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.create_session(request.user, course, form.data_for_service())
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Session scheduled."))
            return redirect("training:session_quotas", pk=session.pk)
    return render(
        request,
        "training/form.html",
        {
            "form": form,
            "title": _("New session of %(c)s") % {"c": course},
            "cancel": course.get_absolute_url(),
        },
    )


@login_required
def session_edit(request, pk):
    session = get_visible(Session, request.user, pk=pk)
    check_change(request.user, session)
    initial = {name: getattr(session, name) for name in SessionForm.base_fields}
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_session(request.user, session, form.data_for_service())
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Session saved."))
            return redirect(session.get_absolute_url())
    return render(
        request,
        "training/form.html",
        {
            "form": form,
            "title": _("Edit %(s)s") % {"s": session.reference},
            "cancel": session.get_absolute_url(),
            "object": session,
        },
    )


@login_required
def session_quotas(request, pk):
    session = get_visible(selectors.sessions(request.user), request.user, pk=pk)
    check_change(request.user, session)
    countries = eligible_countries(session.course, on=session.start).order_by("name")
    current = dict(session.quotas.values_list("country_id", "seats"))
    form = QuotaForm(request.POST or None, countries=countries, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_quotas(request.user, session, form.quotas())
        except (ValidationError, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Seat quotas saved."))
            return redirect(session.get_absolute_url())
    return render(
        request,
        "training/form.html",
        {
            "form": form,
            "title": _("Seat quotas: %(s)s") % {"s": session.reference},
            "lead": _(
                "Seats reserved for each eligible country until the reallocation date "
                "(%(date)s). They may not add up to more than the capacity (%(n)d)."
            )
            % {"date": session.reallocation_date.isoformat(), "n": session.capacity},
            "cancel": session.get_absolute_url(),
        },
    )


@login_required
@require_POST
def session_state(request, pk):
    session = get_visible(Session, request.user, pk=pk)
    form = StateForm(request.POST)
    if form.is_valid():
        state = form.cleaned_data["state"]
        _act(
            request,
            lambda: services.change_state(
                request.user, session, state, reason=form.cleaned_data["reason"]
            ),
            _("The session is now “%(s)s”.") % {"s": Session.State(state).label},
        )
    else:
        messages.error(request, _("Choose a state."))
    return redirect(session.get_absolute_url())


@login_required
@require_POST
def session_reallocate(request, pk):
    session = get_visible(Session, request.user, pk=pk)
    report = {}

    def run():
        report["r"] = services.reallocate(actor=request.user, session=session)

    if _act(request, run, _("Quotas released.")):
        promoted = report["r"].promoted
        if promoted:
            messages.success(
                request,
                _("Promoted from the waiting list: %(names)s.")
                % {"names": ", ".join(f"{name} ({iso3})" for _ref, name, iso3 in promoted)},
            )
        else:
            messages.info(request, _("Nobody was waiting for a free seat."))
    return redirect(session.get_absolute_url())


@login_required
@require_POST
def session_complete(request, pk):
    session = get_visible(Session, request.user, pk=pk)
    counts = {}

    def run():
        counts.update(services.complete_session(request.user, session))

    if _act(request, run, _("The session is completed.")):
        messages.info(
            request,
            _("Completed: %(c)d; not completed: %(n)d; no-shows: %(x)d.")
            % {
                "c": counts.get("completed", 0),
                "n": counts.get("not_completed", 0),
                "x": counts.get("no_show", 0),
            },
        )
    return redirect(session.get_absolute_url())


@login_required
@require_POST
def session_joining(request, pk):
    session = get_visible(Session, request.user, pk=pk)
    sent = {}

    def run():
        sent["n"] = services.send_joining_instructions(request.user, session)

    _act(request, run, _("Joining instructions sent."))
    return redirect(session.get_absolute_url())


@login_required
@require_POST
def session_assign(request, pk):
    session = get_visible(Session, request.user, pk=pk)
    check_change(request.user, session)
    form = AssignmentForm(request.POST, instructors=selectors.instructors(request.user))
    if form.is_valid():
        _act(
            request,
            lambda: services.assign(
                request.user, session, form.cleaned_data["instructor"], form.cleaned_data["role"]
            ),
            _("Instructor assigned."),
        )
    else:
        messages.error(request, _("Choose an instructor and a role."))
    return redirect(session.get_absolute_url())


@login_required
@require_POST
def assignment_delete(request, pk):
    assignment = get_visible(Assignment, request.user, pk=pk)
    session = assignment.session
    _act(request, lambda: services.unassign(request.user, assignment), _("Assignment removed."))
    return redirect(session.get_absolute_url())

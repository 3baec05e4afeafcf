"""The year planner's pages: the plans, a plan (sessions with Hijri dates,
trips, the objective beside the greedy baseline and last year, the solver's
progress polled with htmx, moving with a live preview, locking, publishing),
the differences between versions, an instructor's own planned sessions and
unavailable periods, and the plan's inputs kept outside any plan: the Centre's
rooms and the instructors' unavailable periods ("Rooms and availability")."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from icihub.core.access import (
    Role,
    can_change,
    can_see,
    check_change,
    check_create,
    get_visible,
    require_role,
)
from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors
from icihub.gulf import calendar as gulf

from . import engine, selectors, services
from . import gulf as planning_gulf
from .forms import RoomForm, UnavailabilityForm
from .models import Plan, PlanCourse, PlannedSession, PlanRun, Room, Unavailability


def _run_action(request, fn, success: str = ""):
    try:
        result = fn()
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return None
    except Conflict as exc:
        messages.error(request, str(exc))
        return None
    if success:
        messages.success(request, success)
    return result


@login_required
def plan_list(request):
    user = request.user
    return render(
        request,
        "planning/plan_list.html",
        {
            "plans": selectors.plans_for(user),
            "can_plan": Plan.access_policy.can_create(user),
            "can_edit_resources": _can_edit_resources(user),
            "next_year": dt.date.today().year + 1,
        },
    )


@login_required
@require_POST
def plan_create(request):
    check_create(request.user, Plan)
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        messages.error(request, _("Give a year."))
        return redirect("planning:plan_list")
    plan = _run_action(request, lambda: services.create_plan(request.user, year))
    if plan is None:
        return redirect("planning:plan_list")
    return redirect(plan)


def _sessions_rows(plan, user):
    """``selectors.session_rows`` with what the page shows beside each: the
    instructors' names, the dates (Gregorian and Hijri) and the Gulf calendar's
    problems, each text computed once per calendar (``planning.gulf``)."""
    rows = selectors.session_rows(plan, user)
    problems = planning_gulf.sessions_problems(
        [(r["start"], r["end"]) for r in rows if r["existing"] is None]
    )
    found = iter(problems)
    for row in rows:
        row["names"] = ", ".join(row["instructors"])
        row["start_text"], row["hijri_start"] = planning_gulf.day_texts(row["start"])
        row["end_text"], row["hijri_end"] = planning_gulf.day_texts(row["end"])
        row["problems"] = next(found) if row["existing"] is None else []
    return rows


@login_required
def plan_detail(request, pk):
    user = request.user
    plan = selectors.plan_for(user, pk)
    staff = Plan.access_policy.can_create(user)  # who plans sees the planning inputs
    editable = staff and not plan.frozen and can_change(user, plan)  # (a query: last)
    rows = _sessions_rows(plan, user)
    keys = {r["key"] for r in rows}
    # The year's latest version, which only staff may re-plan once published.
    latest = (
        Plan.objects.filter(year=plan.year)
        .order_by("-version")
        .values_list("pk", flat=True)
        .first()
        if staff and plan.state == Plan.State.PUBLISHED
        else None
    )
    context = {
        "plan": plan,
        "rows": rows,
        "staff": staff,
        "editable": editable,
        "courses": selectors.course_rows(plan, user) if staff else [],
        "trips": selectors.trips_of(plan, keys) if rows else [],
        "comparison": selectors.comparison(plan) if staff and plan.terms else [],
        "run": (run := selectors.latest_run(plan, user) if staff else None),
        "run_active": run is not None
        and run.status in (PlanRun.Status.QUEUED, PlanRun.Status.RUNNING),
        "can_publish": editable and plan.state == Plan.State.SOLVED,
        "can_solve": editable and plan.courses.exists(),
        "can_version": staff and plan.state == Plan.State.PUBLISHED and latest == plan.pk,
        "can_edit_resources": _can_edit_resources(user),
        "terms": engine.TERMS,
        "term_labels": engine.TERM_LABELS(),
        "weights": [(k, engine.TERM_LABELS()[k], plan.weights.get(k, 0)) for k in engine.TERMS],
        "previous": plan.previous if plan.previous_id and can_see(user, plan.previous) else None,
    }
    return render(request, "planning/plan_detail.html", context)


@login_required
def plan_progress(request, pk):
    check_create(request.user, Plan)
    plan = selectors.plan_for(request.user, pk)
    run = selectors.latest_run(plan, request.user)
    active = run is not None and run.status in (PlanRun.Status.QUEUED, PlanRun.Status.RUNNING)
    if request.GET.get("running") and not active:
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    return render(request, "planning/_progress.html", {"plan": plan, "run": run, "active": active})


@login_required
@require_POST
def plan_solve(request, pk):
    plan = selectors.plan_for(request.user, pk)
    check_change(request.user, plan)
    try:
        limit = int(request.POST.get("time_limit") or 10)
    except ValueError:
        limit = 0
    _run_action(request, lambda: services.start_run(request.user, plan, time_limit=limit))
    return redirect(plan)


@login_required
@require_POST
def run_stop(request, pk):
    run = get_visible(PlanRun.objects.select_related("plan"), request.user, pk=pk)
    _run_action(
        request,
        lambda: services.stop_run(request.user, run),
        _("The solver stops and keeps the best plan found."),
    )
    return redirect(run.plan)


@login_required
@require_POST
def plan_weights(request, pk):
    plan = selectors.plan_for(request.user, pk)
    check_change(request.user, plan)
    weights = {k: request.POST.get(k) for k in engine.TERMS if k in request.POST}
    _run_action(
        request, lambda: services.set_weights(request.user, plan, weights), _("Weights saved.")
    )
    return redirect(plan)


@login_required
@require_POST
def course_edit(request, pk):
    pc = get_visible(PlanCourse.objects.select_related("plan"), request.user, pk=pk)
    check_change(request.user, pc)
    data = {}
    try:
        for name in ("iterations", "min_gap_days", "duration_days", "instructors_needed"):
            if request.POST.get(name):
                data[name] = int(request.POST[name])
        if "preferred_months" in request.POST:
            data["preferred_months"] = [
                int(m) for m in request.POST["preferred_months"].replace(",", " ").split()
            ]
    except ValueError:
        messages.error(request, _("Give whole numbers."))
        return redirect(pc.plan)
    _run_action(request, lambda: services.update_course(request.user, pc, data), _("Course saved."))
    return redirect(pc.plan)


def _planned(request, pk) -> PlannedSession:
    return get_visible(PlannedSession.objects.select_related("plan", "course"), request.user, pk=pk)


@login_required
def session_move(request, pk):
    """GET: the effect of a move (an htmx fragment); POST: the move."""
    ps = _planned(request, pk)
    check_change(request.user, ps)
    if request.method == "POST":
        _run_action(
            request,
            lambda: services.move_session(request.user, ps, request.POST.get("start", "")),
            _("Session moved."),
        )
        return redirect(ps.plan)
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        return render(request, "planning/_preview.html", {"error": _("Give a date.")})
    try:
        effect = services.preview_move(ps.plan, ps, start)
    except ValidationError as exc:
        return render(request, "planning/_preview.html", {"error": " ".join(exc.messages)})
    effect["hijri"] = gulf.hijri(start)
    return render(request, "planning/_preview.html", {"effect": effect, "ps": ps})


@login_required
@require_POST
def session_lock(request, pk):
    ps = _planned(request, pk)
    check_change(request.user, ps)
    locked = request.POST.get("locked") == "1"
    _run_action(request, lambda: services.set_locked(request.user, ps, locked))
    return redirect(ps.plan)


@login_required
@require_POST
def plan_publish(request, pk):
    plan = selectors.plan_for(request.user, pk)
    check_change(request.user, plan)
    _run_action(
        request,
        lambda: services.publish(request.user, plan),
        _("Published: the sessions, assignments and trips are in training."),
    )
    return redirect(plan)


@login_required
@require_POST
def plan_version(request, pk):
    plan = selectors.plan_for(request.user, pk)
    check_change(request.user, plan)
    new = _run_action(request, lambda: services.new_version(request.user, plan))
    return redirect(new or plan)


@login_required
def plan_diff(request, pk):
    plan = selectors.plan_for(request.user, pk)
    other = None
    against = request.GET.get("against")
    if against:
        other = selectors.plan_for(request.user, against)
    elif plan.previous_id:
        other = selectors.plan_for(request.user, plan.previous_id)
    changes = services.diff(other, plan) if other else []
    return render(
        request, "planning/plan_diff.html", {"plan": plan, "other": other, "changes": changes}
    )


@login_required
def my_plan(request):
    require_role(request.user, Role.INSTRUCTOR)
    sessions = (
        PlannedSession.objects.visible_to(request.user)
        .filter(instructors__user=request.user)
        .select_related("plan", "course")
        .distinct()
        .order_by("start")
    )
    trips = []
    for plan in Plan.objects.filter(pk__in=sessions.values("plan")):
        trips += [
            t
            for t in selectors.trips_of(plan, {s.key for s in sessions if s.plan_id == plan.pk})
            if t["instructor"] == request.user.training_instructor.full_name
        ]
    rows = [{"ps": s, "hijri_start": gulf.hijri(s.start)} for s in sessions]
    periods = selectors.unavailability_for(request.user).filter(instructor__user=request.user)
    return render(
        request, "planning/my_plan.html", {"rows": rows, "trips": trips, "periods": periods}
    )


# -- rooms and availability: the plan's inputs kept outside any plan ------------------------------


def _can_edit_resources(user) -> bool:
    return Room.access_policy.can_create(user) or Unavailability.access_policy.can_create(user)


def _resources_page(request, *, room_form=None, period_form=None, status=200):
    user = request.user
    rooms = list(selectors.rooms_for(user))
    periods = list(selectors.unavailability_for(user))
    rooms_editable = set(
        Room.objects.editable_by(user)
        .filter(pk__in=[r.pk for r in rooms])
        .values_list("pk", flat=True)
    )
    periods_editable = set(
        Unavailability.objects.editable_by(user)
        .filter(pk__in=[p.pk for p in periods])
        .values_list("pk", flat=True)
    )
    can_add_room = Room.access_policy.can_create(user)
    can_add_period = Unavailability.access_policy.can_create(user)
    if can_add_room and room_form is None:
        room_form = RoomForm()
    if can_add_period and period_form is None:
        period_form = UnavailabilityForm(user=user)
    context = {
        "rooms": [(r, r.pk in rooms_editable) for r in rooms],
        "periods": [(p, p.pk in periods_editable) for p in periods],
        "capacity": sum(r.capacity for r in rooms),
        "room_form": room_form if can_add_room else None,
        "period_form": period_form if can_add_period else None,
        "any_editable": bool(rooms_editable or periods_editable),
    }
    return render(request, "planning/resources.html", context, status=status)


@login_required
def resources(request):
    return _resources_page(request)


def _save(request, form, write, success: str) -> bool:
    """Run ``write(data)`` for a valid form; the services' errors go to the
    form's fields. True when saved."""
    if not form.is_valid():
        return False
    data = {name: form.cleaned_data[name] for name in form.Meta.fields}
    try:
        write(data)
    except (ValidationError, Conflict) as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, success)
    return True


@login_required
@require_POST
def room_create(request):
    check_create(request.user, Room)
    form = RoomForm(request.POST)
    if _save(
        request,
        form,
        lambda data: services.create_room(request.user, data),
        _("Room added."),
    ):
        return redirect(reverse("planning:resources") + "#rooms")
    return _resources_page(request, room_form=form, status=400)


def _edit_page(request, template, obj, form, write, success, anchor):
    if request.method == "POST" and _save(request, form, write, success):
        return redirect(reverse("planning:resources") + anchor)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, "object": obj}, status=status)


@login_required
def room_edit(request, pk):
    room = get_visible(Room, request.user, pk=pk)
    check_change(request.user, room)
    form = RoomForm(request.POST or None, instance=Room.objects.get(pk=pk))
    return _edit_page(
        request,
        "planning/room_form.html",
        room,
        form,
        lambda data: services.update_room(request.user, room, data),
        _("Room saved."),
        "#rooms",
    )


@login_required
@require_POST
def room_delete(request, pk):
    room = get_visible(Room, request.user, pk=pk)
    check_change(request.user, room)
    _run_action(request, lambda: services.delete_room(request.user, room), _("Room deleted."))
    return redirect(reverse("planning:resources") + "#rooms")


@login_required
@require_POST
def unavailability_create(request):
    check_create(request.user, Unavailability)
    form = UnavailabilityForm(request.POST, user=request.user)
    if _save(
        request,
        form,
        lambda data: services.create_unavailability(request.user, data),
        _("Unavailable period added."),
    ):
        return redirect(reverse("planning:resources") + "#unavailability")
    return _resources_page(request, period_form=form, status=400)


def _period(request, pk) -> Unavailability:
    return get_visible(Unavailability.objects.select_related("instructor"), request.user, pk=pk)


@login_required
def unavailability_edit(request, pk):
    period = _period(request, pk)
    check_change(request.user, period)
    form = UnavailabilityForm(
        request.POST or None, instance=Unavailability.objects.get(pk=pk), user=request.user
    )
    return _edit_page(
        request,
        "planning/unavailability_form.html",
        period,
        form,
        lambda data: services.update_unavailability(request.user, period, data),
        _("Unavailable period saved."),
        "#unavailability",
    )


@login_required
@require_POST
def unavailability_delete(request, pk):
    period = _period(request, pk)
    check_change(request.user, period)
    _run_action(
        request,
        lambda: services.delete_unavailability(request.user, period),
        _("Unavailable period deleted."),
    )
    return redirect(reverse("planning:resources") + "#unavailability")

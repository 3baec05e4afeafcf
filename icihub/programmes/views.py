"""Pages of the individual programmes, their versions, execution and the
partners' requests. Thin: parse, call a selector or a service, render. Every
page needs a signed-in user; what they see is decided by the access policy."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from icihub.core.access import can_change, get_visible
from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors
from icihub.core.listing import Filter, ListPage
from icihub.core.text import attach, local
from icihub.core.viewkit import safe_next
from icihub.menu import selectors as menu_selectors
from icihub.menu.models import Activity

from . import permissions, selectors, services
from .filters import ProgrammeFilters, RequestFilters
from .forms import (
    CloseForm,
    DeliveryForm,
    GoalForm,
    ItemForm,
    ObjectiveForm,
    ProgrammeForm,
    ReasonForm,
    RequestForm,
    ResponseForm,
    partner_countries,
)
from .models import (
    Delivery,
    PartnerRequest,
    PartnershipGoal,
    Programme,
    ProgrammeItem,
    StrategicObjective,
)

# Bad input and state conflicts come back to the form; a write the user may
# not make (PermissionDenied) answers 403, as everywhere else.
ERRORS = (ValidationError, Conflict)


def _messages_of(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("Not allowed.")


def _banner(request, country=None) -> dict:
    return {"unanswered": selectors.unanswered(request.user, country=country)}


# -- programmes --------------------------------------------------------------------------


def _partner_country_choices(request):
    """Filter options: the partner countries by their names in the page's language."""
    return sorted(((c.iso3, local(c)) for c in partner_countries()), key=lambda o: o[1])


PROGRAMME_LIST = ListPage(
    template="programmes/programme_list.html",
    results_template="programmes/_programme_results.html",
    search_fields=["title", "country__name", "summary"],
    filterset=ProgrammeFilters,
    attach=selectors.attach_counts,
    filters=[
        Filter("state", gettext_lazy("State"), choices=Programme.State.choices),
        Filter("kind", gettext_lazy("Kind"), choices=[("ipcp", "IPCP"), ("itpp", "ITPP")]),
        Filter(
            "country",
            gettext_lazy("Country"),
            choices=_partner_country_choices,
        ),
    ],
)


@login_required
def programme_list(request):
    return PROGRAMME_LIST.render(
        request,
        selectors.programmes(request.user).order_by("country__name", "-start_year"),
        {
            **_banner(request),
            "can_create": permissions.can_create_programme(request.user),
        },
    )


@login_required
def programme_export(request):
    """The programmes of the list (same filters) as CSV, one row per activity."""
    from django.http import HttpResponse

    from .exports import export_programmes

    qs = Programme.objects.visible_to(request.user)
    for name, lookup in (("state", "state"), ("kind", "kind"), ("country", "country__iso3")):
        value = request.GET.get(name, "").strip()
        if value:
            qs = qs.filter(**{lookup: value})
    result = export_programmes(request.user, qs)
    response = HttpResponse(result.content, content_type="text/csv; charset=utf-8")
    attach(response, result.filename)
    response["X-Icihub-Marking"] = result.marking.value
    return response


@login_required
def programme_create(request):
    if not permissions.can_create_programme(request.user):
        raise PermissionDenied(_("You may not create programmes."))
    form = ProgrammeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(request.user, form.cleaned_data)
        except ERRORS as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Programme created: add its objectives."))
            return redirect(programme)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": None})


@login_required
def programme_edit(request, pk):
    programme = services.visible_programme(request.user, pk)
    services.check_may_edit(request.user, programme)
    initial = {
        name: getattr(programme, name)
        for name in ("kind", "start_year", "end_year", "title", "summary", "marking")
    }
    form = ProgrammeForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "country"}
        try:
            services.update_programme(
                request.user, programme, data, reason=request.POST.get("reason", "")
            )
        except ERRORS as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Programme updated."))
            return redirect(programme)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": programme})


@login_required
def programme_detail(request, pk):
    programme = selectors.programme_detail(request.user, pk)
    actions = services.allowed_actions(request.user, programme)
    items = selectors.items_of(programme)
    open_requests, open_request_count = selectors.open_requests_for(programme, request.user)
    context = {
        "programme": programme,
        "actions": actions,
        "item_count": len(items),
        "open_requests": open_requests,
        "open_request_count": open_request_count,
        "versions": list(selectors.versions(programme, request.user)),
        "objective_form": ObjectiveForm(),
        # The same form under every objective: rendered once, not once an objective.
        "goal_form_html": render_to_string(
            "core/_form.html", {"form": GoalForm(prefix="goal")}, request
        )
        if actions["edit"]
        else "",
        "overdue_days": selectors.overdue_days(),
    }
    return render(request, "programmes/programme_detail.html", context)


@login_required
@require_POST
def programme_transition(request, pk, action):
    programme = services.visible_programme(request.user, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.transition(
            request.user, programme, action, reason=form.cleaned_data.get("reason", "")
        )
    except ERRORS as exc:
        messages.error(request, _messages_of(exc))
    else:
        programme.refresh_from_db()
        messages.success(
            request,
            _("The programme is now %(state)s.") % {"state": programme.get_state_display().lower()},
        )
    return redirect(programme)


@login_required
@require_POST
def programme_delete(request, pk):
    programme = services.visible_programme(request.user, pk)
    try:
        services.delete_programme(request.user, programme)
    except ERRORS as exc:
        messages.error(request, _messages_of(exc))
        return redirect(programme)
    messages.success(request, _("Programme deleted."))
    return redirect("programmes:programme_list")


# -- objectives and goals -----------------------------------------------------------------


@login_required
@require_POST
def objective_create(request, pk):
    programme = services.visible_programme(request.user, pk)
    form = ObjectiveForm(request.POST)
    if form.is_valid():
        try:
            objective = services.add_objective(request.user, programme, form.cleaned_data)
        except ERRORS as exc:
            messages.error(request, _messages_of(exc))
        else:
            messages.success(request, _("Objective added."))
            return redirect(f"{programme.get_absolute_url()}#objective-{objective.pk}")
    else:
        messages.error(request, _("Give the objective a title."))
    return redirect(programme)


def _objective(request, pk) -> StrategicObjective:
    return get_visible(
        StrategicObjective.objects.select_related("programme__country"), request.user, pk=pk
    )


@login_required
def objective_edit(request, pk):
    objective = _objective(request, pk)
    programme = objective.programme
    form = ObjectiveForm(
        request.POST or None,
        initial={"title": objective.title, "description": objective.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_objective(request.user, objective, form.cleaned_data)
        except ERRORS as exc:
            add_service_errors(form, exc)
        else:
            return redirect(f"{programme.get_absolute_url()}#objective-{objective.pk}")
    return render(
        request,
        "programmes/simple_form.html",
        {"form": form, "programme": programme, "title": _("Edit the objective")},
    )


@login_required
@require_POST
def objective_delete(request, pk):
    objective = _objective(request, pk)
    try:
        services.delete_objective(request.user, objective)
    except ERRORS as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("Objective removed."))
    return redirect(objective.programme)


@login_required
@require_POST
def goal_create(request, pk):
    objective = _objective(request, pk)
    form = GoalForm(request.POST, prefix="goal")
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["areas"] = list(data["areas"])
        try:
            goal = services.add_goal(request.user, objective, data)
        except ERRORS as exc:
            messages.error(request, _messages_of(exc))
        else:
            messages.success(request, _("Goal added: now choose its activities."))
            return redirect(goal)
    else:
        messages.error(request, _("Give the goal a title."))
    return redirect(objective.programme)


def _goal(request, pk) -> PartnershipGoal:
    return get_visible(
        PartnershipGoal.objects.select_related("objective__programme__country"), request.user, pk=pk
    )


@login_required
def goal_detail(request, pk):
    goal = selectors.goal_detail(request.user, pk)
    programme = goal.objective.programme
    actions = services.allowed_actions(request.user, programme)
    query = request.GET.get("q", "").strip()
    found = []
    if query:
        result = menu_selectors.search(request.user, {"q": query}, with_facets=False)
        found = result.activities(request.user)[:30]
    planned = {item.activity_id for item in goal.items.all()}
    context = {
        "goal": goal,
        "programme": programme,
        "actions": actions,
        "query": query,
        "found": found,
        "planned": planned,
        "recommendations": selectors.recommendations(goal, request.user) if actions["edit"] else [],
    }
    if getattr(request, "htmx", False) and request.htmx.target == "menu-results":
        return render(request, "programmes/_menu_results.html", context)
    return render(request, "programmes/goal_detail.html", context)


@login_required
def goal_edit(request, pk):
    goal = _goal(request, pk)
    programme = goal.objective.programme
    form = GoalForm(
        request.POST or None,
        initial={
            "title": goal.title,
            "description": goal.description,
            "target": goal.target,
            "areas": [a.code for a in goal.areas.all()],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["areas"] = list(data["areas"])
        try:
            services.update_goal(request.user, goal, data)
        except ERRORS as exc:
            add_service_errors(form, exc)
        else:
            return redirect(goal)
    return render(
        request,
        "programmes/simple_form.html",
        {"form": form, "programme": programme, "title": _("Edit the goal")},
    )


@login_required
@require_POST
def goal_delete(request, pk):
    goal = _goal(request, pk)
    programme = goal.objective.programme
    try:
        services.delete_goal(request.user, goal)
    except ERRORS as exc:
        messages.error(request, _messages_of(exc))
        return redirect(goal)
    messages.success(request, _("Goal removed."))
    return redirect(programme)


# -- items ----------------------------------------------------------------------------------


@login_required
@require_POST
def item_add(request, pk):
    """One click: add a menu activity to a goal (default year, medium priority)."""
    goal = _goal(request, pk)
    activity = get_visible(Activity, request.user, pk=request.POST.get("activity") or 0)
    data = {"activity": activity}
    for name in ("planned_year", "planned_quarter", "seats", "priority"):
        value = request.POST.get(name, "").strip()
        if value.isdigit():
            data[name] = int(value)
    try:
        services.add_item(request.user, goal, data)
    except ERRORS as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("“%(title)s” added to the goal.") % {"title": activity.title})
    return redirect(safe_next(request, goal.get_absolute_url()))


def _item(request, pk) -> ProgrammeItem:
    return get_visible(
        ProgrammeItem.objects.select_related("activity", "goal__objective__programme__country"),
        request.user,
        pk=pk,
    )


@login_required
def item_detail(request, pk):
    item = selectors.item_detail(request.user, pk)
    programme = item.goal.objective.programme
    actions = services.allowed_actions(request.user, programme)
    form = ItemForm(
        request.POST or None,
        programme=programme,
        initial={
            "priority": item.priority,
            "planned_year": item.planned_year,
            "planned_quarter": item.planned_quarter,
            "seats": item.seats,
            "notes": item.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_item(
                request.user, item, form.cleaned_data, reason=request.POST.get("reason", "")
            )
        except ERRORS as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Activity updated."))
            return redirect(item)
    delivery_form = (
        DeliveryForm(programme=programme, user=request.user) if actions["record"] else None
    )
    # This item's matches only (its deliveries are prefetched), not the
    # programme's all filtered down to it.
    matches = (
        selectors.suggested_matches(programme, request.user, [item], shown_only=True)
        if actions["record"]
        else []
    )
    return render(
        request,
        "programmes/item_detail.html",
        {
            "item": item,
            "programme": programme,
            "actions": actions,
            "form": form,
            "delivery_form": delivery_form,
            "matches": matches,
        },
    )


@login_required
@require_POST
def item_delete(request, pk):
    item = _item(request, pk)
    goal = item.goal
    try:
        services.delete_item(request.user, item, reason=request.POST.get("reason", ""))
    except ERRORS as exc:
        messages.error(request, _messages_of(exc))
        return redirect(item)
    messages.success(request, _("Activity removed from the goal."))
    return redirect(safe_next(request, goal.get_absolute_url()))


@login_required
@require_POST
def delivery_create(request, pk):
    item = _item(request, pk)
    programme = item.goal.objective.programme
    form = DeliveryForm(request.POST, programme=programme, user=request.user)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            services.record_delivery(request.user, item, data)
        except ERRORS as exc:
            messages.error(request, _messages_of(exc))
        else:
            messages.success(request, _("Delivery recorded."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(item)


@login_required
@require_POST
def delivery_delete(request, pk):
    delivery = get_visible(Delivery.objects.select_related("item"), request.user, pk=pk)
    try:
        services.delete_delivery(request.user, delivery)
    except ERRORS as exc:
        messages.error(request, _messages_of(exc))
    return redirect(delivery.item)


@login_required
def programme_matches(request, pk):
    """The sessions that may have delivered the programme's activities, to
    record as delivered: the programme's page loads this panel after the page
    (``hx-trigger="load"``), for it reads every attended session of the
    programme's years (141 at ten times the demo data, half the page's time
    when rendered with it). Without htmx, a page of its own. Only for those who
    may record deliveries."""
    programme = services.visible_programme(request.user, pk)
    if not services.allowed_actions(request.user, programme)["record"]:
        raise PermissionDenied(_("You may not record deliveries for this programme."))
    context = {
        "programme": programme,
        "matches": selectors.suggested_matches(programme, request.user, shown_only=True),
    }
    template = (
        "programmes/_matches.html"
        if getattr(request, "htmx", False)
        else "programmes/programme_matches.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def matches_confirm(request, pk):
    programme = services.visible_programme(request.user, pk)
    pairs = []
    for value in request.POST.getlist("match"):
        item_id, _sep, session_id = value.partition(":")
        if item_id.isdigit() and session_id.isdigit():
            pairs.append((int(item_id), int(session_id)))
    try:
        created = services.confirm_matches(request.user, programme, pairs)
    except ERRORS as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("%(n)s delivery(ies) recorded.") % {"n": len(created)})
    return redirect(f"{programme.get_absolute_url()}#execution")


# -- versions ---------------------------------------------------------------------------------


@login_required
def version_list(request, pk):
    programme = services.visible_programme(request.user, pk)
    return render(
        request,
        "programmes/version_list.html",
        {"programme": programme, "versions": selectors.versions(programme, request.user)},
    )


@login_required
def version_detail(request, pk, number):
    programme = services.visible_programme(request.user, pk)
    version = selectors.version(programme, request.user, number)
    return render(
        request,
        "programmes/version_detail.html",
        {"programme": programme, "version": version},
    )


def _version_number(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
def version_diff(request, pk):
    programme = services.visible_programme(request.user, pk)
    versions = list(selectors.versions(programme, request.user))
    if not versions:
        raise Http404(_("This programme has no versions yet."))
    last = versions[-1].number
    first = _version_number(request.GET.get("from"), max(last - 1, 1))
    second = _version_number(request.GET.get("to"), last)
    diff = selectors.version_diff(programme, request.user, first, second)
    return render(
        request,
        "programmes/version_diff.html",
        {
            "programme": programme,
            "versions": versions,
            "first": first,
            "second": second,
            "diff": diff,
            "objectives": diff.of_kind("objective"),
            "goals": diff.of_kind("goal"),
            "items": diff.of_kind("item"),
        },
    )


# -- requests ---------------------------------------------------------------------------------

REQUEST_LIST = ListPage(
    # The page's ids first (see the API's list of requests).
    ids_first=True,
    template="programmes/request_list.html",
    results_template="programmes/_request_results.html",
    search_fields=["subject", "details", "response", "country__name"],
    filterset=RequestFilters,
    filters=[
        Filter("state", gettext_lazy("State"), choices=PartnerRequest.State.choices),
        Filter("kind", gettext_lazy("Request for"), choices=PartnerRequest.Kind.choices),
        Filter(
            "country",
            gettext_lazy("Country"),
            choices=_partner_country_choices,
        ),
    ],
)


@login_required
def request_list(request):
    return REQUEST_LIST.render(
        request,
        selectors.requests(request.user),
        {
            **_banner(request),
            "overdue_days": selectors.overdue_days(),
            "can_create": permissions.can_file_request(request.user),
        },
    )


@login_required
def request_create(request):
    if not permissions.can_file_request(request.user):
        raise PermissionDenied(_("You may not create this kind of record."))
    form = RequestForm(request.POST or None, user=request.user, initial=_request_initial(request))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            partner_request = services.create_request(request.user, data)
        except ERRORS as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Request recorded: NATO staff will answer it."))
            return redirect(partner_request)
    return render(request, "programmes/request_form.html", {"form": form})


def _request_initial(request) -> dict:
    initial = {}
    if request.GET.get("activity"):
        initial["activity"] = request.GET["activity"]
        initial["kind"] = PartnerRequest.Kind.ACTIVITY
    if request.GET.get("programme", "").isdigit():
        initial["programme"] = request.GET["programme"]
    return initial


@login_required
def request_detail(request, pk):
    partner_request = get_visible(
        PartnerRequest.objects.select_related(
            "country",
            "programme__country",
            "activity",
            "session__course",
            "requested_by",
            "responded_by",
        ),
        request.user,
        pk=pk,
    )
    is_nato = permissions.is_nato(request.user)
    changer = can_change(request.user, partner_request)
    response_form = ResponseForm(prefix="answer") if is_nato and changer else None
    close_form = CloseForm(prefix="close") if changer else None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "respond" and response_form is not None:
                response_form = ResponseForm(request.POST, prefix="answer")
                if response_form.is_valid():
                    data = response_form.cleaned_data
                    services.respond(
                        request.user,
                        partner_request,
                        response=data["response"],
                        responded_on=data["responded_on"],
                        close=data["close"],
                    )
                    messages.success(request, _("Answer recorded."))
                    return redirect(partner_request)
            elif action == "close" and close_form is not None:
                close_form = CloseForm(request.POST, prefix="close")
                if close_form.is_valid():
                    services.close_request(
                        request.user, partner_request, note=close_form.cleaned_data["note"]
                    )
                    messages.success(request, _("Request closed."))
                    return redirect(partner_request)
            else:
                raise PermissionDenied(_("You may not do this."))
        except ERRORS as exc:
            target = response_form if action == "respond" else close_form
            if target is not None:
                add_service_errors(target, exc)
            else:
                raise
    return render(
        request,
        "programmes/request_detail.html",
        {
            "req": partner_request,
            "response_form": response_form,
            "close_form": close_form,
            "overdue_days": selectors.overdue_days(),
        },
    )


def programme_url(programme) -> str:
    return reverse("programmes:programme_detail", args=[programme.pk])

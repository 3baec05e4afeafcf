"""Pages of the dialogue register: the event list and page, staff forms, the
follow-up actions and the timeline. Thin: parse, call a selector or a service,
render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from icihub.core.access import can_change, get_visible, is_staff
from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors
from icihub.core.viewkit import safe_next

from . import selectors, services
from .forms import (
    ActionForm,
    ActionStateForm,
    AttendeeFormSet,
    CitationForm,
    EventForm,
    ParticipantFormSet,
)
from .models import Event, FollowUpAction

PER_PAGE = 25


def _is_results_request(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and htmx.target == "results"


def _filter_fields(specs, params, choices, errors):
    return [
        {
            "name": name,
            "label": label,
            "options": choices.get(name, []),
            "value": params.get(name, ""),
            "input": "select" if name in choices else "text",
            "error": errors.get(name, ""),
        }
        for name, label in specs
    ]


def _page(request, qs):
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


# -- the register --------------------------------------------------------------------------

EVENT_FILTERS = [
    ("format", gettext_lazy("Format")),
    ("level", gettext_lazy("Level")),
    ("country", gettext_lazy("Country")),
    ("topic", gettext_lazy("Topic")),
    ("year", gettext_lazy("Year")),
    ("marking", gettext_lazy("Marking")),
    ("provenance", gettext_lazy("Provenance")),
]


def event_list(request):
    filters = selectors.EventFilters.from_params(request.GET)
    qs = selectors.events_for(request.user)
    errors = {}
    try:
        qs = selectors.filter_events(qs, filters)
    except ValidationError as exc:
        errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        qs = qs.none()
    page, querystring = _page(request, qs.order_by(*selectors.EVENT_ORDER))
    context = {
        "page_obj": page,
        "object_list": page.object_list,
        "query": filters.q,
        "filters": _filter_fields(
            EVENT_FILTERS, vars(filters), selectors.filter_choices(request.user), errors
        ),
        "filter_errors": errors,
        "querystring": querystring,
        "results_template": "dialogue/_event_results.html",
        "can_create": is_staff(request.user) and Event.access_policy.can_create(request.user),
        "overdue_count": selectors.overdue_count(request.user) if is_staff(request.user) else None,
    }
    if _is_results_request(request):
        return render(request, "dialogue/_event_results.html", context)
    return render(request, "dialogue/event_list.html", context)


def event_detail(request, pk):
    event = selectors.event_detail(request.user, pk)
    actions = list(event.actions.all())
    editable = can_change(request.user, event)
    return render(
        request,
        "dialogue/event_detail.html",
        {
            "event": event,
            "actions": actions,
            "overdue": [a for a in actions if a.is_overdue],
            "can_edit": editable,
            "can_cite": editable and request.user.is_authenticated and request.user.is_nato_role,
            "citation_form": CitationForm(),
        },
    )


def _event_form_page(request, event: Event | None):
    user = request.user
    data = request.POST if request.method == "POST" else None
    initial = {}
    if event is not None:
        initial = {
            "venue": event.venue.slug if event.venue else None,
            "venue_country": event.venue_country.iso3 if event.venue_country else None,
            "country": event.country.iso3 if event.country else None,
            "milestone_of": event.milestone_of.slug if event.milestone_of else None,
            "topics": [a.code for a in event.topics.all()],
        }
    form = EventForm(data, instance=event, initial=initial, user=user)
    participant_initial = (
        [
            {
                "country": p.country.iso3 if p.country else None,
                "organisation": p.organisation.slug if p.organisation else None,
                "role": p.role,
                "note": p.note,
            }
            for p in event.participants.select_related("country", "organisation")
        ]
        if event
        else []
    )
    attendee_initial = (
        [
            {
                "person": a.person.slug if a.person else None,
                "name": a.name,
                "role": a.role,
                "affiliation": a.affiliation,
            }
            for a in event.attendees.select_related("person").order_by("position", "id")
        ]
        if event
        else []
    )
    participants = ParticipantFormSet(
        data, prefix="participants", user=user, initial=participant_initial
    )
    attendees = AttendeeFormSet(data, prefix="attendees", user=user, initial=attendee_initial)
    if request.method == "POST":
        valid = form.is_valid() & participants.is_valid() & attendees.is_valid()
        if valid:
            try:
                if event is None:
                    event = services.create_event(
                        user,
                        form.event_data(),
                        participants=participants.rows(),
                        attendees=attendees.rows(),
                    )
                    messages.success(request, _("Event recorded."))
                else:
                    services.update_event(
                        event,
                        user,
                        form.event_data(),
                        participants=participants.rows(),
                        attendees=attendees.rows(),
                    )
                    messages.success(request, _("Event updated."))
            except (ValidationError, Conflict) as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                return redirect(event.get_absolute_url())
    return render(
        request,
        "dialogue/event_form.html",
        {"form": form, "participants": participants, "attendees": attendees, "event": event},
    )


@login_required
def event_create(request):
    if not Event.access_policy.can_create(request.user):
        raise PermissionDenied(_("You may not record dialogue events."))
    return _event_form_page(request, None)


@login_required
def event_edit(request, pk):
    event = get_visible(Event, request.user, pk=pk)
    if not can_change(request.user, event):
        raise PermissionDenied(_("You may not change this event."))
    return _event_form_page(request, event)


@login_required
@require_POST
def event_delete(request, pk):
    event = get_visible(Event, request.user, pk=pk)
    try:
        services.delete_event(event, request.user, reason=request.POST.get("reason", ""))
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect(event.get_absolute_url())
    messages.success(request, _("Event deleted."))
    return redirect("dialogue:event_list")


@login_required
@require_POST
def citation_add(request, pk):
    event = get_visible(Event, request.user, pk=pk)
    form = CitationForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.add_citation(
                event,
                request.user,
                attribute=d["attribute"],
                value=d["value"],
                source_key=d["source"],
                quote=d["quote"],
                kind=d["kind"],
                note=d["note"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        except Conflict as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Source cited."))
    else:
        messages.error(request, " ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect(event.get_absolute_url())


# -- follow-up actions ---------------------------------------------------------------------------

ACTION_FILTERS = [
    ("state", gettext_lazy("State")),
    ("overdue", gettext_lazy("Overdue")),
    ("due", gettext_lazy("Due")),
]


@login_required
def action_list(request):
    filters = selectors.ActionFilters.from_params(request.GET)
    qs = selectors.actions_for(request.user)
    errors = {}
    try:
        qs = selectors.filter_actions(qs, filters, request.user)
    except ValidationError as exc:
        errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        qs = qs.none()
    page, querystring = _page(request, selectors.ordered_actions(qs))
    choices = {
        "state": list(FollowUpAction.State.choices),
        "overdue": [("1", _("overdue only")), ("0", _("not overdue"))],
        "due": [
            (
                "soon",
                ngettext(
                    "due within %(days)s day",
                    "due within %(days)s days",
                    selectors.DUE_SOON_DAYS,
                )
                % {"days": selectors.DUE_SOON_DAYS},
            )
        ],
    }
    context = {
        "page_obj": page,
        "object_list": page.object_list,
        "query": filters.q,
        "filters": _filter_fields(ACTION_FILTERS, vars(filters), choices, errors),
        "filter_errors": errors,
        "querystring": querystring,
        "results_template": "dialogue/_action_results.html",
        "overdue_count": selectors.overdue_count(request.user),
        "closable": selectors.closable_ids(request.user, page.object_list),
    }
    if _is_results_request(request):
        return render(request, "dialogue/_action_results.html", context)
    return render(request, "dialogue/action_list.html", context)


@login_required
@require_POST
def actions_close(request):
    """Close the selected follow-up actions, all or none: the first post (from
    the actions list or the home page's queue) asks for a confirmation that
    names them; the confirmed post closes them through the service."""
    back = safe_next(request, reverse("dialogue:action_list"))
    ids = [v for v in request.POST.getlist("ids") if v.strip()]
    if not ids:
        messages.error(request, _("Select the actions to close."))
        return redirect(back)
    actions = list(
        selectors.actions_for(request.user)
        .filter(pk__in=[int(v) for v in ids if v.isdigit()])
        .order_by(F("due").asc(nulls_last=True), "pk")
    )
    if len(actions) != len(set(ids)):
        raise Http404(_("Not found."))
    if not selectors.closable_ids(request.user, actions):
        # None of them is the user's to close: forbidden (a mixed batch is
        # refused by the service, with the rows named on the page).
        raise PermissionDenied(_("You may not close these actions."))
    if request.POST.get("confirm") != "1":
        return render(
            request,
            "dialogue/actions_close.html",
            {"actions": actions, "next": back, "count": len(actions)},
        )
    try:
        closed = services.close_actions(request.user, ids, reason=request.POST.get("reason", ""))
    except (PermissionDenied, Conflict, ValidationError) as exc:
        messages.error(request, " ".join(_messages_of(exc)))
        return redirect(back)
    messages.success(
        request,
        ngettext("%(n)s action closed.", "%(n)s actions closed.", len(closed)) % {"n": len(closed)},
    )
    return redirect(back)


def _messages_of(exc) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc)]


@login_required
def action_create(request, pk):
    event = get_visible(Event, request.user, pk=pk)
    if not can_change(request.user, event):
        raise PermissionDenied(_("You may not change this event."))
    form = ActionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_action(event, request.user, form.action_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Follow-up action added."))
            return redirect(event.get_absolute_url())
    return render(request, "dialogue/action_form.html", {"form": form, "event": event})


@login_required
def action_edit(request, pk):
    action = get_visible(selectors.actions_for(request.user), request.user, pk=pk)
    if not can_change(request.user, action):
        raise PermissionDenied(_("You may not change this action."))
    owner_only = not can_change(request.user, action.event)
    initial = {
        "owner_organisation": action.owner_organisation.slug if action.owner_organisation else None
    }
    form = ActionForm(
        request.POST or None,
        instance=action,
        initial=initial,
        user=request.user,
        owner_only=owner_only,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_action(
                action, request.user, form.action_data(), reason=request.POST.get("reason", "")
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Follow-up action updated."))
            return redirect(action.event.get_absolute_url())
    return render(
        request,
        "dialogue/action_form.html",
        {"form": form, "event": action.event, "action": action, "owner_only": owner_only},
    )


@login_required
@require_POST
def action_state(request, pk):
    action = get_visible(selectors.actions_for(request.user), request.user, pk=pk)
    form = ActionStateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid state."))
    else:
        try:
            services.set_action_state(
                action, request.user, form.cleaned_data["state"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Action marked “%(state)s”.") % {"state": action.get_state_display()}
            )
    return redirect(safe_next(request, action.event.get_absolute_url(), request.POST.get("next")))


@login_required
@require_POST
def action_delete(request, pk):
    action = get_visible(selectors.actions_for(request.user), request.user, pk=pk)
    event = action.event
    services.delete_action(action, request.user)
    messages.success(request, _("Follow-up action deleted."))
    return redirect(event.get_absolute_url())


# -- the timeline ----------------------------------------------------------------------------------


#: The dated items the timeline page shows at first: the most recent whole years
#: that hold at least this many (all of the real register's hundred-odd events
#: and the accessions), the earlier years a click away, a few years at a time.
TIMELINE_YEARS_ITEMS = 250


def _year(request, name: str, errors: dict) -> int | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    if not selectors.is_year(value):
        errors[name] = str(selectors.YEAR_INVALID)
        return None
    return int(value)


def timeline(request):
    country = request.GET.get("country", "").strip()
    topic = request.GET.get("topic", "").strip()
    errors = {}
    year_from = _year(request, "year_from", errors)
    year_to = _year(request, "year_to", errors)
    # A window of years (the whole timeline at ten times the real register
    # is two thousand items, a second to render): the most recent years by
    # default, ``year_from`` (and ``year_to``) for the others; the "earlier"
    # link fetches the years before those shown. The selector builds the
    # items of those years only and counts the others.
    try:
        result = selectors.timeline(
            request.user,
            country=country,
            topic=topic,
            year_from=year_from,
            year_to=year_to,
            recent_items=TIMELINE_YEARS_ITEMS,
        )
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
        result = selectors.Timeline(dated=[], undated=[])
    year_from = result.year_from
    shown = result
    earlier = None
    first_year = result.first_year
    if year_from is not None and first_year is not None and first_year < year_from:
        earlier = {
            "before": year_from,
            "year_from": result.recent_years_from(TIMELINE_YEARS_ITEMS, before=year_from),
            "year_to": year_from - 1,
            "first_year": first_year,
        }
    context = {"timeline": result, "shown": shown, "earlier": earlier}
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "tl-earlier":
        return render(request, "dialogue/_timeline_years.html", context)
    choices = selectors.filter_choices(request.user, ("country", "topic"))
    context.update(
        {
            "filters": _filter_fields(
                [("country", gettext_lazy("Country")), ("topic", gettext_lazy("Topic"))],
                {"country": country, "topic": topic},
                {"country": choices["country"], "topic": choices["topic"]},
                errors,
            ),
            "filter_errors": errors,
        }
    )
    if _is_results_request(request):
        return render(request, "dialogue/_timeline_results.html", context)
    return render(request, "dialogue/timeline.html", context)

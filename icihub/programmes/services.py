"""Writes of the individual programmes. Every write: access check (the
programmes' policy: a coordinator changes only their own country's rows, NATO
staff any), the lifecycle rule, validation, one transaction, audit.

The lifecycle rule (one place: :func:`editing_rule`):

* draft: the country's coordinator and NATO staff edit;
* submitted: frozen (NATO staff agree it or return it to draft);
* agreed / active: NATO staff edit, and every change makes a new version;
* closed: frozen.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from icihub import notifications
from icihub.core import audit
from icihub.core.access import (
    can_see,
    check_change,
    check_create,
    get_visible,
)
from icihub.core.errors import Conflict
from icihub.core.permissions import own_country
from icihub.core.text import local
from icihub.notifications.kinds import Kind as Notice

from .models import (
    Delivery,
    PartnerRequest,
    PartnershipGoal,
    Programme,
    ProgrammeItem,
    ProgrammeVersion,
    StrategicObjective,
)
from .permissions import is_nato
from .snapshots import build_snapshot

State = Programme.State

# -- lifecycle -----------------------------------------------------------------------


def edit_verdict(actor, state: str) -> Exception | None:
    """Why ``actor`` (who may change the programme's rows) may not change its
    content in ``state``, or None when they may."""
    if state == State.DRAFT:
        return None
    if state == State.SUBMITTED:
        return Conflict(
            _(
                "The programme has been submitted and is frozen: NATO staff agree it or "
                "return it to draft for changes."
            )
        )
    if state == State.CLOSED:
        return Conflict(_("The programme is closed and can no longer be changed."))
    if not is_nato(actor):
        return PermissionDenied(
            _("An agreed programme is changed by NATO staff (each change makes a new version).")
        )
    return None


def editing_rule(actor, programme: Programme) -> bool:
    """Check that ``actor`` may change ``programme``'s content now (404 when they
    may not see it). Returns True when the change makes a new version (the
    programme is agreed or active)."""
    check_change(actor, programme)
    # The state as it is now (locked until the end of the caller's transaction),
    # not as the caller's copy remembers it.
    current = Programme.objects.select_for_update().only("state", "version").get(pk=programme.pk)
    programme.state, programme.version = current.state, current.version
    error = edit_verdict(actor, programme.state)
    if error is not None:
        raise error
    return programme.state in (State.AGREED, State.ACTIVE)


def check_may_edit(actor, programme: Programme) -> None:
    """Refuse an ``actor`` whom no write would let change ``programme``'s content:
    404 when they may not see it, 403 when its rows are not theirs to change or
    it is agreed and they are not NATO staff (the edit page answers the same as
    the write). A frozen state is a Conflict the write reports on the form."""
    check_change(actor, programme)
    refusal = edit_verdict(actor, programme.state)
    if isinstance(refusal, PermissionDenied):
        raise refusal


def _versioned(actor, programme: Programme, versioned: bool, reason: str) -> None:
    if versioned:
        new_version(actor, programme, reason=reason)


def new_version(actor, programme: Programme, *, reason: str = "") -> ProgrammeVersion:
    """Snapshot the structure as the next version (called inside the writing
    transaction)."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    number = programme.version + 1
    version = ProgrammeVersion.objects.create(
        programme=programme,
        number=number,
        state=programme.state,
        snapshot=build_snapshot(programme),
        reason=reason,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    Programme.objects.filter(pk=programme.pk).update(version=number)
    audit.record(
        audit.Action.EVENT,
        programme,
        {"version": {"before": programme.version, "after": number}},
        message=f"version {number}",
        reason=reason,
    )
    return version


def _transition(actor, programme: Programme, to: str, *, reason: str = "", **fields):
    before = programme.state
    programme.state = to
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.full_clean()
    programme.save()
    audit.record(
        audit.Action.TRANSITION,
        programme,
        {"state": {"before": before, "after": to}},
        reason=reason,
    )


# action: (states it starts from, NATO staff only, past participle for messages)
TRANSITION_RULES = {
    "submit": ((State.DRAFT,), False),
    "return": ((State.SUBMITTED,), True),
    "agree": ((State.SUBMITTED,), True),
    "activate": ((State.AGREED,), True),
    "close": ((State.AGREED, State.ACTIVE), True),
}
TRANSITION_LABELS = {
    "submit": pgettext_lazy("programme transition", "submitted"),
    "return": pgettext_lazy("programme transition", "returned to draft"),
    "agree": pgettext_lazy("programme transition", "agreed"),
    "activate": pgettext_lazy("programme transition", "activated"),
    "close": pgettext_lazy("programme transition", "closed"),
}


def transition_verdict(actor, programme: Programme, action: str) -> Exception | None:
    """Why ``actor`` (who may change the programme's rows) may not take
    ``action`` now, or None."""
    states, nato_only = TRANSITION_RULES[action]
    if nato_only and not is_nato(actor):
        return PermissionDenied(_("Only NATO staff may do this."))
    if programme.state not in states:
        return Conflict(
            _("A programme in the state “%(state)s” cannot be %(action)s.")
            % {"state": programme.get_state_display(), "action": TRANSITION_LABELS[action]}
        )
    return None


def _check_transition(actor, programme: Programme, action: str) -> Programme:
    """Lock and reload the programme, and check the transition (inside a transaction)."""
    check_change(actor, programme)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    error = transition_verdict(actor, programme, action)
    if error is not None:
        raise error
    return programme


def allowed_actions(actor, programme: Programme) -> dict[str, bool]:
    """What ``actor`` may do with ``programme`` now (for the pages' buttons);
    the same rules the services enforce."""
    from icihub.core.access import can_change

    changer = can_change(actor, programme)
    actions = {
        action: changer and transition_verdict(actor, programme, action) is None
        for action in TRANSITION_RULES
    }
    actions["edit"] = changer and edit_verdict(actor, programme.state) is None
    actions["delete"] = changer and programme.state == State.DRAFT and not programme.version
    actions["record"] = is_nato(actor) and changer and programme.is_agreed
    return actions


def _require_nato(actor, message: str) -> None:
    if not is_nato(actor):
        raise PermissionDenied(message)


def structure_problems(programme: Programme) -> list[str]:
    """What keeps a programme from being submitted: no objective, an objective
    without goals, a goal without activities."""
    problems = []
    objectives = list(
        programme.objectives.prefetch_related("goals__items").order_by("position", "pk")
    )
    if not objectives:
        problems.append(_("The programme has no strategic objective."))
    for objective in objectives:
        goals = list(objective.goals.all())
        if not goals:
            problems.append(
                _("The objective “%(title)s” has no partnership goal.") % {"title": objective}
            )
        for goal in goals:
            if not goal.items.all():
                problems.append(
                    _("The goal “%(title)s” has no supporting activity.") % {"title": goal}
                )
    return problems


def submit(actor, programme: Programme, *, reason: str = "") -> Programme:
    with audit.acting(actor, reason=reason), transaction.atomic():
        programme = _check_transition(actor, programme, "submit")
        problems = structure_problems(programme)
        if problems:
            raise ValidationError({"programme": problems})
        _transition(
            actor,
            programme,
            State.SUBMITTED,
            reason=reason,
            submitted_at=timezone.now(),
            submitted_by=actor,
        )
        notifications.notify(Notice.PROGRAMME_SUBMITTED, programme)
    return programme


def return_to_draft(actor, programme: Programme, *, reason: str) -> Programme:
    with audit.acting(actor, reason=reason), transaction.atomic():
        programme = _check_transition(actor, programme, "return")
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Say what should be changed.")})
        _transition(actor, programme, State.DRAFT, reason=reason)
        notifications.notify(
            Notice.PROGRAMME_RETURNED, programme, params={"detail": reason.strip()}
        )
    return programme


def agree(actor, programme: Programme, *, signed=None, reason: str = "") -> Programme:
    """NATO staff agree a submitted programme: who and when are recorded, and the
    agreed structure becomes version 1."""
    with audit.acting(actor, reason=reason), transaction.atomic():
        programme = _check_transition(actor, programme, "agree")
        fields = {"agreed_at": timezone.now(), "agreed_by": actor}
        if signed:
            fields["signed"] = signed
        _transition(actor, programme, State.AGREED, reason=reason, **fields)
        new_version(actor, programme, reason=reason or _("agreed"))
        programme.refresh_from_db()
        notifications.notify(Notice.PROGRAMME_AGREED, programme)
    return programme


def activate(actor, programme: Programme, *, reason: str = "") -> Programme:
    with audit.acting(actor, reason=reason), transaction.atomic():
        programme = _check_transition(actor, programme, "activate")
        _transition(actor, programme, State.ACTIVE, reason=reason, activated_at=timezone.now())
    return programme


def close(actor, programme: Programme, *, reason: str = "") -> Programme:
    with audit.acting(actor, reason=reason), transaction.atomic():
        programme = _check_transition(actor, programme, "close")
        _transition(actor, programme, State.CLOSED, reason=reason, closed_at=timezone.now())
    return programme


TRANSITIONS = {
    "submit": submit,
    "return": return_to_draft,
    "agree": agree,
    "activate": activate,
    "close": close,
}


def transition(actor, programme: Programme, action: str, *, reason: str = "", **kwargs):
    if action not in TRANSITIONS:
        raise ValidationError({"action": _("Unknown action “%(action)s”.") % {"action": action}})
    return TRANSITIONS[action](actor, programme, reason=reason, **kwargs)


# -- the programme itself -------------------------------------------------------------

PROGRAMME_FIELDS = {"country", "kind", "title", "start_year", "end_year", "summary", "marking"}


def _check_fields(data: dict, allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be set here.") for name in sorted(unknown)}
        )


def _overlap_check(programme: Programme) -> None:
    if not (programme.country_id and programme.start_year and programme.end_year):
        return
    clash = (
        Programme.objects.filter(
            country_id=programme.country_id,
            start_year__lte=programme.end_year,
            end_year__gte=programme.start_year,
        )
        .exclude(pk=programme.pk)
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "start_year": _("%(country)s already has a programme for %(period)s.")
                % {"country": local(clash.country), "period": clash.period}
            }
        )


def _save(instance) -> None:
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        # The database's own wording names tables and constraints: not for users.
        raise Conflict(
            _("This conflicts with existing data (a duplicate, or a record still in use).")
        )


def create_programme(actor, data: dict, *, reason: str = "") -> Programme:
    """A new draft programme. A coordinator creates only their own country's."""
    _check_fields(data, PROGRAMME_FIELDS)
    country = data.get("country")
    country_id = getattr(country, "pk", country)
    check_create(actor, Programme, country_id=country_id)
    programme = Programme(state=State.DRAFT)
    for name, value in data.items():
        if name == "country" and not hasattr(value, "pk"):
            programme.country_id = value
        else:
            setattr(programme, name, value)
    programme.full_clean()
    _overlap_check(programme)
    with audit.acting(actor, reason=reason), transaction.atomic():
        _save(programme)
    return programme


def update_programme(actor, programme: Programme, data: dict, *, reason: str = "") -> Programme:
    _check_fields(data, PROGRAMME_FIELDS - {"country"})
    with audit.acting(actor, reason=reason), transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        versioned = editing_rule(actor, programme)
        if versioned and any(
            name in data and getattr(programme, name) != data[name]
            for name in ("kind", "start_year", "end_year")
        ):
            raise Conflict(_("The kind and period of an agreed programme cannot change."))
        for name, value in data.items():
            setattr(programme, name, value)
        programme.full_clean()
        _overlap_check(programme)
        _save(programme)
        _versioned(actor, programme, versioned, reason or _("programme details changed"))
    return programme


def delete_programme(actor, programme: Programme, *, reason: str = "") -> None:
    """Only a draft that was never agreed can be deleted."""
    check_change(actor, programme)
    with audit.acting(actor, reason=reason), transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        if programme.state != State.DRAFT or programme.version:
            raise Conflict(_("Only a draft programme that was never agreed can be deleted."))
        programme.delete()


# -- objectives, goals, items ----------------------------------------------------------


def _clean_and_save(instance) -> None:
    instance.full_clean()
    _save(instance)


def _next_position(qs) -> int:
    last = qs.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


def add_objective(
    actor, programme: Programme, data: dict, *, reason: str = ""
) -> StrategicObjective:
    _check_fields(data, {"title", "description", "position"})
    with audit.acting(actor, reason=reason), transaction.atomic():
        versioned = editing_rule(actor, programme)
        objective = StrategicObjective(programme=programme, **data)
        if "position" not in data:
            objective.position = _next_position(programme.objectives.all())
        _clean_and_save(objective)
        _versioned(
            actor, programme, versioned, reason or _("objective added: %(t)s") % {"t": objective}
        )
    return objective


def update_objective(actor, objective: StrategicObjective, data: dict, *, reason: str = ""):
    _check_fields(data, {"title", "description", "position"})
    programme = objective.programme
    with audit.acting(actor, reason=reason), transaction.atomic():
        versioned = editing_rule(actor, programme)
        for name, value in data.items():
            setattr(objective, name, value)
        _clean_and_save(objective)
        _versioned(
            actor, programme, versioned, reason or _("objective changed: %(t)s") % {"t": objective}
        )
    return objective


def delete_objective(actor, objective: StrategicObjective, *, reason: str = "") -> None:
    programme = objective.programme
    with audit.acting(actor, reason=reason), transaction.atomic():
        versioned = editing_rule(actor, programme)
        _refuse_delivered(ProgrammeItem.objects.filter(goal__objective=objective))
        title = str(objective)
        ProgrammeItem.objects.filter(goal__objective=objective).delete()
        objective.goals.all().delete()
        objective.delete()
        _versioned(
            actor, programme, versioned, reason or _("objective removed: %(t)s") % {"t": title}
        )


def _refuse_delivered(items) -> None:
    if Delivery.objects.filter(item__in=items).exists():
        raise Conflict(
            _("Activities of this part of the programme have been delivered: keep them.")
        )


def _areas(values):
    from icihub.menu.models import Area

    if values is None:
        return None
    out = []
    for value in values:
        if isinstance(value, Area):
            out.append(value)
        else:
            area = (
                Area.objects.filter(code=value).first()
                if isinstance(value, str)
                else Area.objects.filter(pk=value).first()
            )
            if area is None:
                raise ValidationError({"areas": _("Unknown area “%(code)s”.") % {"code": value}})
            out.append(area)
    return out


def add_goal(
    actor, objective: StrategicObjective, data: dict, *, reason: str = ""
) -> PartnershipGoal:
    _check_fields(data, {"title", "description", "target", "position", "areas"})
    data = dict(data)
    areas = _areas(data.pop("areas", None)) or []
    programme = objective.programme
    with audit.acting(actor, reason=reason), transaction.atomic():
        versioned = editing_rule(actor, programme)
        goal = PartnershipGoal(objective=objective, **data)
        if "position" not in data:
            goal.position = _next_position(objective.goals.all())
        _clean_and_save(goal)
        goal.areas.set(areas)
        _versioned(actor, programme, versioned, reason or _("goal added: %(t)s") % {"t": goal})
    return goal


def update_goal(actor, goal: PartnershipGoal, data: dict, *, reason: str = "") -> PartnershipGoal:
    _check_fields(data, {"title", "description", "target", "position", "areas"})
    data = dict(data)
    areas = _areas(data.pop("areas", None))
    programme = goal.objective.programme
    with audit.acting(actor, reason=reason), transaction.atomic():
        versioned = editing_rule(actor, programme)
        for name, value in data.items():
            setattr(goal, name, value)
        _clean_and_save(goal)
        if areas is not None:
            goal.areas.set(areas)
        _versioned(actor, programme, versioned, reason or _("goal changed: %(t)s") % {"t": goal})
    return goal


def delete_goal(actor, goal: PartnershipGoal, *, reason: str = "") -> None:
    programme = goal.objective.programme
    with audit.acting(actor, reason=reason), transaction.atomic():
        versioned = editing_rule(actor, programme)
        _refuse_delivered(goal.items.all())
        title = str(goal)
        goal.items.all().delete()
        goal.delete()
        _versioned(actor, programme, versioned, reason or _("goal removed: %(t)s") % {"t": title})


ITEM_FIELDS = {"activity", "priority", "planned_year", "planned_quarter", "seats", "notes"}


def _validate_item(actor, item: ProgrammeItem, programme: Programme) -> None:
    from icihub.menu.models import Activity

    errors = {}
    if item.planned_year is not None and not (
        programme.start_year <= item.planned_year <= programme.end_year
    ):
        errors["planned_year"] = _("The programme covers %(period)s.") % {
            "period": programme.period
        }
    if item.activity_id:
        activity = Activity.objects.filter(pk=item.activity_id).first()
        if activity is None or not can_see(actor, activity):
            errors["activity"] = _("Choose an activity of the menu.")
        elif item._state.adding and activity.status != Activity.Status.ACTIVE:
            errors["activity"] = _("This activity is retired from the menu.")
        elif item.planned_year and not activity.is_offered_in(item.planned_year):
            errors["planned_year"] = _("This activity is offered %(from)s–%(until)s.") % {
                "from": activity.first_year or "…",
                "until": activity.last_year or "",
            }
    if errors:
        raise ValidationError(errors)


def add_item(actor, goal: PartnershipGoal, data: dict, *, reason: str = "") -> ProgrammeItem:
    """Add a menu activity to a goal (priority, planned year and quarter, seats)."""
    _check_fields(data, ITEM_FIELDS)
    data = dict(data)
    programme = goal.objective.programme
    activity = data.pop("activity", None)
    if data.get("planned_year") in (None, ""):
        from icihub.menu.models import Activity

        found = Activity.objects.filter(pk=getattr(activity, "pk", activity)).first()
        data["planned_year"] = default_year(programme, found)
    with audit.acting(actor, reason=reason), transaction.atomic():
        versioned = editing_rule(actor, programme)
        item = ProgrammeItem(goal=goal, **data)
        item.activity_id = getattr(activity, "pk", activity)
        _validate_item(actor, item, programme)
        try:
            item.full_clean()
        except ValidationError as exc:
            raise ValidationError(exc.message_dict)
        _save(item)
        _versioned(
            actor,
            programme,
            versioned,
            reason or _("activity added: %(t)s") % {"t": item.activity.code},
        )
    return item


def default_year(programme: Programme, activity=None) -> int:
    """This year when the programme covers it, else its first year; moved
    into the years the activity is offered when they overlap the programme."""
    this_year = dt.date.today().year
    year = (
        this_year
        if programme.start_year <= this_year <= programme.end_year
        else programme.start_year
    )
    if activity is not None and activity.is_offered_during(
        programme.start_year, programme.end_year
    ):
        year = activity.nearest_offered_year(year)
    return year


def update_item(actor, item: ProgrammeItem, data: dict, *, reason: str = "") -> ProgrammeItem:
    _check_fields(data, ITEM_FIELDS - {"activity"})
    programme = item.goal.objective.programme
    with audit.acting(actor, reason=reason), transaction.atomic():
        versioned = editing_rule(actor, programme)
        for name, value in data.items():
            setattr(item, name, value)
        _validate_item(actor, item, programme)
        _clean_and_save(item)
        _versioned(
            actor, programme, versioned, reason or _("activity changed: %(t)s") % {"t": item}
        )
    return item


def delete_item(actor, item: ProgrammeItem, *, reason: str = "") -> None:
    programme = item.goal.objective.programme
    with audit.acting(actor, reason=reason), transaction.atomic():
        versioned = editing_rule(actor, programme)
        _refuse_delivered([item])
        label = str(item)
        item.delete()
        _versioned(
            actor, programme, versioned, reason or _("activity removed: %(t)s") % {"t": label}
        )


# -- execution --------------------------------------------------------------------------

DELIVERY_FIELDS = {"kind", "session", "event", "delivered_on", "title", "participants", "notes"}


def record_delivery(actor, item: ProgrammeItem, data: dict, *, reason: str = "") -> Delivery:
    """Link a programme item to what delivered it. A session must have been
    attended by the programme country's people (their number is taken from the
    training records unless given)."""
    _check_fields(data, DELIVERY_FIELDS)
    programme = item.goal.objective.programme
    check_create(actor, Delivery)
    if not can_see(actor, item):
        from django.http import Http404

        raise Http404(_("Not found."))
    if programme.state not in (State.AGREED, State.ACTIVE, State.CLOSED):
        raise Conflict(_("Deliveries are recorded once the programme is agreed."))
    data = dict(data)
    kind = data.get("kind")
    delivery = Delivery(item=item, recorded_by=actor if getattr(actor, "pk", None) else None)
    errors = {}
    if kind == Delivery.Kind.SESSION:
        session = _visible_session(actor, data.get("session"))
        if session is None:
            errors["session"] = _("Choose a course session.")
        else:
            attendees = _attendees(programme.country, actor, session)
            if not attendees:
                errors["session"] = _("Nobody from %(country)s attended this session.") % {
                    "country": local(programme.country)
                }
            data["session"] = session
            data.setdefault("delivered_on", session.end)
            if not data.get("participants"):
                data["participants"] = attendees
        data.pop("event", None)
    elif kind == Delivery.Kind.MEETING:
        event = _visible_event(actor, data.get("event"))
        if event is None:
            errors["event"] = _("Choose a dialogue meeting.")
        else:
            data["event"] = event
            if not data.get("delivered_on") and event.date:
                data["delivered_on"] = event.date.latest
        data.pop("session", None)
    else:
        data.pop("session", None)
        data.pop("event", None)
    if errors:
        raise ValidationError(errors)
    for name, value in data.items():
        setattr(delivery, name, value)
    if delivery.participants is None:
        delivery.participants = 0
    with audit.acting(actor, reason=reason), transaction.atomic():
        try:
            delivery.full_clean()
        except ValidationError as exc:
            raise ValidationError(exc.message_dict)
        _save(delivery)
    return delivery


def delete_delivery(actor, delivery: Delivery, *, reason: str = "") -> None:
    check_change(actor, delivery)
    with audit.acting(actor, reason=reason), transaction.atomic():
        delivery.delete()


def _visible_session(actor, value):
    from icihub.training.models import Session

    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    return Session.objects.visible_to(actor).select_related("course").filter(pk=pk).first()


def _visible_event(actor, value):
    from icihub.dialogue.models import Event

    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    return Event.objects.visible_to(actor).filter(pk=pk).first()


def _attendees(country, actor, session) -> int:
    from icihub.training.selectors import sessions_attended_by_country

    row = sessions_attended_by_country(country, actor).filter(pk=session.pk).first()
    return row.attendees if row is not None else 0


def confirm_matches(
    actor, programme: Programme, pairs: list[tuple[int, int]], *, reason: str = ""
) -> list[Delivery]:
    """Record suggested matches (item id, session id) as deliveries, all or nothing."""
    from .selectors import suggested_matches

    # The access check comes first, also for an empty list (which records nothing).
    check_create(actor, Delivery)
    get_visible(Programme, actor, pk=programme.pk)
    suggestions = {(m.item.pk, m.session.pk): m for m in suggested_matches(programme, actor)}
    created = []
    with transaction.atomic():
        for item_id, session_id in pairs:
            match = suggestions.get((item_id, session_id))
            if match is None:
                raise ValidationError(
                    {
                        "matches": _("Session %(s)s is not a suggested match for item %(i)s.")
                        % {"s": session_id, "i": item_id}
                    }
                )
            created.append(
                record_delivery(
                    actor,
                    match.item,
                    {
                        "kind": Delivery.Kind.SESSION,
                        "session": match.session,
                        "participants": match.attendees,
                    },
                    reason=reason or _("suggested match confirmed"),
                )
            )
    return created


# -- requests ------------------------------------------------------------------------------

REQUEST_FIELDS = {
    "country",
    "programme",
    "kind",
    "subject",
    "details",
    "activity",
    "session",
    "seats",
    "wanted_from",
    "wanted_to",
    "requested_on",
}


def create_request(actor, data: dict, *, reason: str = "") -> PartnerRequest:
    """A partner's request. A coordinator files requests for their own country."""
    _check_fields(data, REQUEST_FIELDS)
    data = dict(data)
    if not data.get("country") and own_country(actor) is not None:
        data["country"] = own_country(actor)
    country = data.get("country")
    country_id = getattr(country, "pk", country)
    check_create(actor, PartnerRequest, country_id=country_id)
    request = PartnerRequest(requested_by=actor if getattr(actor, "pk", None) else None)
    errors = {}
    for name, value in data.items():
        if name in ("country", "programme", "activity", "session") and not hasattr(value, "pk"):
            setattr(request, f"{name}_id", value)
        else:
            setattr(request, name, value)
    if request.programme_id:
        programme = Programme.objects.filter(pk=request.programme_id).first()
        if programme is None or not can_see(actor, programme) or programme.country_id != country_id:
            errors["programme"] = _("Choose a programme of the same country.")
    if request.activity_id:
        from icihub.menu.models import Activity

        activity = Activity.objects.filter(pk=request.activity_id).first()
        if activity is None or not can_see(actor, activity):
            errors["activity"] = _("Choose an activity of the menu.")
    if request.session_id and _visible_session(actor, request.session_id) is None:
        errors["session"] = _("Choose a course session.")
    if request.requested_on and request.requested_on > timezone.localdate():
        errors["requested_on"] = _("A request cannot be dated in the future.")
    if errors:
        raise ValidationError(errors)
    with audit.acting(actor, reason=reason), transaction.atomic():
        try:
            request.full_clean()
        except ValidationError as exc:
            raise ValidationError(exc.message_dict)
        _save(request)
    return request


def respond(
    actor,
    request: PartnerRequest,
    *,
    response: str,
    responded_on=None,
    close: bool = False,
    reason: str = "",
) -> PartnerRequest:
    """NATO's answer to a request, with its date."""
    check_change(actor, request)
    _require_nato(actor, _("Only NATO staff answer requests."))
    if not (response or "").strip():
        raise ValidationError({"response": _("Write the answer.")})
    responded_on = responded_on or timezone.localdate()
    with audit.acting(actor, reason=reason), transaction.atomic():
        request = PartnerRequest.objects.select_for_update().get(pk=request.pk)
        if request.state == PartnerRequest.State.CLOSED:
            raise Conflict(_("The request is closed."))
        before = request.state
        request.response = response.strip()
        request.responded_on = responded_on
        request.responded_by = actor
        request.state = PartnerRequest.State.ANSWERED
        if close:
            request.state = PartnerRequest.State.CLOSED
            request.closed_on = responded_on
        if request.responded_on > timezone.localdate():
            raise ValidationError({"responded_on": _("An answer cannot be dated in the future.")})
        try:
            request.full_clean()
        except ValidationError as exc:
            raise ValidationError(exc.message_dict)
        request.save()
        audit.record(
            audit.Action.TRANSITION,
            request,
            {"state": {"before": before, "after": request.state}},
            reason=reason,
        )
        notifications.notify(Notice.REQUEST_ANSWERED, request, params={"detail": request.response})
    return request


def close_request(
    actor, request: PartnerRequest, *, note: str = "", closed_on=None, reason: str = ""
) -> PartnerRequest:
    """Close a request: NATO staff after answering it, or the country's
    coordinator withdrawing it."""
    check_change(actor, request)
    with audit.acting(actor, reason=reason or note), transaction.atomic():
        request = PartnerRequest.objects.select_for_update().get(pk=request.pk)
        if request.state == PartnerRequest.State.CLOSED:
            raise Conflict(_("The request is already closed."))
        if request.state == PartnerRequest.State.OPEN and is_nato(actor) and not note.strip():
            raise ValidationError(
                {"close_note": _("Closing an unanswered request needs a note (or answer it).")}
            )
        before = request.state
        request.state = PartnerRequest.State.CLOSED
        request.closed_on = closed_on or timezone.localdate()
        request.close_note = note
        request.full_clean()
        request.save()
        audit.record(
            audit.Action.TRANSITION,
            request,
            {"state": {"before": before, "after": request.state}},
            reason=reason or note,
        )
    return request


def visible_programme(actor, pk) -> Programme:
    return get_visible(Programme.objects.select_related("country"), actor, pk=pk)

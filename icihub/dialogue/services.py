"""Every write of the dialogue register: events with their participants and
attendees, follow-up actions, and the citations of an event's facts.

Who writes (the rule is :class:`~icihub.dialogue.models.EventPolicy`):
administrators and NATO partnership staff write every event; Centre staff
record and change the events held at the NATO-ICI Regional Centre only. An
action's owner may change its state and notes. Every write checks access,
validates everything first, runs in one transaction and is audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icihub.core import audit
from icihub.core import services as core
from icihub.core.access import (
    can_change,
    can_see,
    check_change,
    check_create,
)
from icihub.core.dates import PartialDate
from icihub.core.errors import Conflict
from icihub.core.models import Citation, Source
from icihub.menu.models import Area
from icihub.partners.models import Country, Organisation, Person

from .models import CENTRE_SLUG, Attendee, Event, FollowUpAction, Participant
from .permissions import writes_centre_events_only

EVENT_FIELDS = (
    "key",
    "title",
    "title_ar",
    "format",
    "date",
    "date_note",
    "place",
    "venue",
    "venue_country",
    "level",
    "summary",
    "outcomes",
    "topics",
    "marking",
    "country",
    "milestone_of",
    "milestone",
    "provenance",
)
ACTION_FIELDS = (
    "description",
    "owner_user",
    "owner_organisation",
    "due",
    "state",
    "completed_on",
    "notes",
)
OWNER_FIELDS = ("state", "completed_on", "notes")  # what an action's owner may change


# -- resolving codes (API, CLI) ---------------------------------------------------------


def _lookup(model, field: str, value, error_field: str, label: str):
    if value in (None, ""):
        return None
    if isinstance(value, model):
        return value
    obj = model.objects.filter(**{field: value}).first()
    if obj is None:
        raise ValidationError(
            {error_field: _("Unknown %(what)s “%(value)s”.") % {"what": label, "value": value}}
        )
    return obj


def country_by_code(code, field: str = "country") -> Country | None:
    if isinstance(code, str):
        code = code.strip().upper()
    return _lookup(Country, "iso3", code, field, _("country (ISO alpha-3 code)"))


def organisation_by_slug(slug, field: str = "organisation") -> Organisation | None:
    return _lookup(Organisation, "slug", slug, field, _("organisation"))


def person_by_slug(slug, field: str = "person") -> Person | None:
    return _lookup(Person, "slug", slug, field, _("person"))


def area_by_code(code, field: str = "topic") -> Area | None:
    return _lookup(Area, "code", code, field, _("area of cooperation"))


def areas_by_code(codes, field: str = "topics") -> list[Area]:
    codes = [c for c in (codes or []) if c]
    found = {a.code: a for a in Area.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(
            {
                field: _("Unknown area of cooperation: %(codes)s.")
                % {"codes": ", ".join(f"“{c}”" for c in unknown)}
            }
        )
    return [found[c] for c in codes]


def resolve_event_input(payload: dict) -> dict:
    """Turn an API payload (codes and slugs) into model values; every unknown
    code is reported, field by field, before anything is written."""
    data: dict = {}
    errors: dict[str, list] = {}
    resolvers = {
        "venue": lambda v: organisation_by_slug(v, "venue"),
        "milestone_of": lambda v: organisation_by_slug(v, "milestone_of"),
        "venue_country": lambda v: country_by_code(v, "venue_country"),
        "country": lambda v: country_by_code(v, "country"),
        "topics": lambda v: areas_by_code(v, "topics"),
    }
    for name, value in payload.items():
        if name not in EVENT_FIELDS:
            continue
        try:
            data[name] = resolvers[name](value) if name in resolvers else value
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    for name in ("title_ar", "date_note", "place", "level", "summary", "outcomes", "milestone"):
        if name in data and data[name] is None:
            data[name] = ""
    if errors:
        raise ValidationError(errors)
    return data


def resolve_participants(rows) -> list[dict]:
    out, errors = [], {}
    for i, row in enumerate(rows or []):
        try:
            out.append(
                {
                    "country": country_by_code(row.get("country"), f"participants.{i}.country"),
                    "organisation": organisation_by_slug(
                        row.get("organisation"), f"participants.{i}.organisation"
                    ),
                    "role": row.get("role") or "",
                    "note": row.get("note") or "",
                }
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return out


def resolve_attendees(rows) -> list[dict]:
    out, errors = [], {}
    for i, row in enumerate(rows or []):
        try:
            out.append(
                {
                    "person": person_by_slug(row.get("person"), f"attendees.{i}.person"),
                    "name": row.get("name") or "",
                    "role": row.get("role") or "",
                    "affiliation": row.get("affiliation") or "",
                }
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return out


# -- the writers' rule -------------------------------------------------------------------


def _venue_slug(venue) -> str | None:
    if venue is None:
        return None
    if isinstance(venue, Organisation):
        return venue.slug
    return Organisation.objects.filter(pk=venue).values_list("slug", flat=True).first()


def _check_venue(actor, data: dict, event: Event | None = None) -> None:
    """Centre staff write only events held at the Centre (and cannot move one away)."""
    if not writes_centre_events_only(actor):
        return
    venue = data.get("venue", event.venue if event else None)
    if _venue_slug(venue) != CENTRE_SLUG:
        raise PermissionDenied(
            _("Centre staff record the events held at the NATO-ICI Regional Centre only.")
        )


def _check_still_visible(actor, event: Event) -> None:
    """Nobody writes an event they could not read back (e.g. Centre staff
    marking an event NATO-only)."""
    if not can_see(actor, event):
        raise ValidationError(
            {"marking": _("With this marking you could no longer see the event.")}
        )


def _prefixed(exc: ValidationError, prefix: str) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError(
            {
                f"{prefix}.{field}" if field != "__all__" else prefix: messages
                for field, messages in exc.message_dict.items()
            }
        )
    return ValidationError({prefix: exc.messages})


def _clean_event_data(data: dict) -> dict:
    data = {k: v for k, v in data.items() if k in EVENT_FIELDS}
    if "date" in data and isinstance(data["date"], str):
        text = data["date"].strip()
        if not text:
            data["date"] = None
        else:
            try:
                data["date"] = PartialDate.parse(text)
            except ValueError as exc:
                raise ValidationError({"date": str(exc)})
    return data


# -- events --------------------------------------------------------------------------------


def create_event(
    actor,
    data: dict,
    *,
    participants: list[dict] | None = None,
    attendees: list[dict] | None = None,
    reason: str = "",
) -> Event:
    """Record an event with (optionally) its participants and attendees, all or nothing."""
    data = _clean_event_data(data)
    check_create(actor, Event, country_id=getattr(data.get("country"), "pk", None))
    _check_venue(actor, data)
    with audit.acting(actor, reason=reason), transaction.atomic():
        event = core.create(Event, actor, data, reason=reason)
        if participants is not None:
            _set_participants(event, participants)
        if attendees is not None:
            _set_attendees(event, attendees)
        _check_still_visible(actor, event)
    return event


def update_event(
    event: Event,
    actor,
    data: dict,
    *,
    participants: list[dict] | None = None,
    attendees: list[dict] | None = None,
    reason: str = "",
) -> Event:
    """Change an event (404 if not visible, 403 if not the actor's to change)."""
    data = _clean_event_data(data)
    check_change(actor, event)
    _check_venue(actor, data, event)
    with audit.acting(actor, reason=reason), transaction.atomic():
        core.update(event, actor, data, reason=reason)
        if participants is not None:
            _set_participants(event, participants)
        if attendees is not None:
            _set_attendees(event, attendees)
        _check_still_visible(actor, event)
    return event


def delete_event(event: Event, actor, *, reason: str = "") -> None:
    """Delete an event with its participants, attendees, actions and citations."""
    check_change(actor, event)
    core.delete(event, actor, reason=reason)


def set_participants(event: Event, actor, rows: list[dict], *, reason: str = "") -> Event:
    check_change(actor, event)
    with audit.acting(actor, reason=reason), transaction.atomic():
        _set_participants(event, rows)
    return event


def add_participant(event: Event, actor, row: dict, *, reason: str = "") -> Participant:
    check_change(actor, event)
    with audit.acting(actor, reason=reason), transaction.atomic():
        return _save_row(Participant(event=event, **_participant_values(row)), "participant")


def remove_participant(participant: Participant, actor, *, reason: str = "") -> None:
    check_change(actor, participant.event)
    with audit.acting(actor, reason=reason), transaction.atomic():
        participant.delete()


def add_attendee(event: Event, actor, row: dict, *, reason: str = "") -> Attendee:
    check_change(actor, event)
    with audit.acting(actor, reason=reason), transaction.atomic():
        position = (
            event.attendees.order_by("-position").values_list("position", flat=True).first() or 0
        ) + 1
        return _save_row(
            Attendee(event=event, position=position, **_attendee_values(row)), "attendee"
        )


def remove_attendee(attendee: Attendee, actor, *, reason: str = "") -> None:
    check_change(actor, attendee.event)
    with audit.acting(actor, reason=reason), transaction.atomic():
        attendee.delete()


def _participant_values(row: dict) -> dict:
    return {
        "country": row.get("country"),
        "organisation": row.get("organisation"),
        "role": row.get("role") or "",
        "note": row.get("note") or "",
    }


def _attendee_values(row: dict) -> dict:
    return {
        "person": row.get("person"),
        "name": (row.get("name") or "").strip(),
        "role": row.get("role") or "",
        "affiliation": row.get("affiliation") or "",
    }


def _save_row(obj, prefix: str):
    try:
        obj.full_clean(exclude=["event"])
    except ValidationError as exc:
        raise _prefixed(exc, prefix)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Conflict(_("This %(what)s is already recorded.") % {"what": prefix})
    return obj


def _set_participants(event: Event, rows: list[dict]) -> None:
    """Bring the event's participants to ``rows`` (country or organisation, role,
    note), changing only what differs. Validates every row first."""
    wanted, errors = {}, {}
    for i, row in enumerate(rows):
        values = _participant_values(row)
        candidate = Participant(event=event, **values)
        try:
            candidate.full_clean(exclude=["event"], validate_constraints=False)
        except ValidationError as exc:
            errors.update(_prefixed(exc, f"participants.{i}").message_dict)
            continue
        key = (
            values["country"].pk if values["country"] else None,
            values["organisation"].pk if values["organisation"] else None,
        )
        if key in wanted:
            errors[f"participants.{i}"] = [_("Listed twice.")]
            continue
        wanted[key] = values
    if errors:
        raise ValidationError(errors)
    current = {(p.country_id, p.organisation_id): p for p in event.participants.all()}
    for key, participant in current.items():
        if key not in wanted:
            participant.delete()
    for key, values in wanted.items():
        participant = current.get(key)
        if participant is None:
            Participant.objects.create(event=event, **values)
        elif (participant.role, participant.note) != (values["role"], values["note"]):
            participant.role, participant.note = values["role"], values["note"]
            participant.save()


def _set_attendees(event: Event, rows: list[dict]) -> None:
    """Bring the event's attendees to ``rows``, in order."""
    wanted, errors, seen = [], {}, set()
    for i, row in enumerate(rows):
        values = _attendee_values(row)
        candidate = Attendee(event=event, position=i + 1, **values)
        try:
            candidate.full_clean(exclude=["event"], validate_constraints=False)
        except ValidationError as exc:
            errors.update(_prefixed(exc, f"attendees.{i}").message_dict)
            continue
        if values["person"] is not None:
            if values["person"].pk in seen:
                errors[f"attendees.{i}.person"] = [_("Listed twice.")]
                continue
            seen.add(values["person"].pk)
        wanted.append(values)
    if errors:
        raise ValidationError(errors)

    def signature(values, position):
        person = values["person"]
        return (
            person.pk if isinstance(person, Person) else person,
            values["name"],
            values["role"],
            values["affiliation"],
            position,
        )

    current = list(event.attendees.order_by("position", "id"))
    have = [(a.person_id, a.name, a.role, a.affiliation, a.position) for a in current]
    want = [signature(v, i + 1) for i, v in enumerate(wanted)]
    if have == want:
        return
    for attendee in current:
        attendee.delete()
    for i, values in enumerate(wanted):
        Attendee.objects.create(event=event, position=i + 1, **values)


# -- citations ---------------------------------------------------------------------------


def add_citation(
    event: Event,
    actor,
    *,
    attribute: str,
    value: str,
    source_key: str,
    quote: str = "",
    kind: str = Citation.Kind.TEXT,
    locator: str = "",
    note: str = "",
    reason: str = "",
) -> Citation:
    """Cite a source for one fact of an event (NATO roles: citations are theirs)."""
    check_change(actor, event)
    check_create(actor, Citation)
    source = Source.objects.visible_to(actor).filter(key=source_key).first()
    if source is None:
        raise ValidationError({"source": _("Unknown source “%(key)s”.") % {"key": source_key}})
    if kind == Citation.Kind.DATE:
        try:
            value = PartialDate.parse(value).iso()
        except (ValueError, AttributeError) as exc:
            raise ValidationError({"value": str(exc) or _("Enter a date.")})
    citation = Citation(
        subject=event,
        attribute=attribute,
        kind=kind,
        value=str(value),
        source=source,
        quote=quote,
        locator=locator,
        note=note,
    )
    citation.full_clean()
    with audit.acting(actor, reason=reason), transaction.atomic():
        try:
            with transaction.atomic():
                citation.save()
        except IntegrityError:
            raise Conflict(_("This source already states this value."))
    return citation


def remove_citation(citation: Citation, actor, *, reason: str = "") -> None:
    event = citation.subject
    if not isinstance(event, Event):
        raise PermissionDenied(_("Not a citation of a dialogue event."))
    check_change(actor, event)
    check_create(actor, Citation)
    with audit.acting(actor, reason=reason), transaction.atomic():
        citation.delete()


# -- follow-up actions ------------------------------------------------------------------------


def _action_data(data: dict) -> dict:
    return {k: v for k, v in data.items() if k in ACTION_FIELDS}


def create_action(event: Event, actor, data: dict, *, reason: str = "") -> FollowUpAction:
    """Add a follow-up action to an event (writers of the event)."""
    check_change(actor, event)
    data = _action_data(data)
    action = FollowUpAction(event=event)
    with audit.acting(actor, reason=reason), transaction.atomic():
        _apply_action(action, data)
        action.full_clean()
        action.save()
    return action


def update_action(action: FollowUpAction, actor, data: dict, *, reason: str = "") -> FollowUpAction:
    """Change an action. Writers of its event change everything; its owner only
    its state, completion date and notes. A change of state is recorded as a
    transition in the audit trail."""
    check_change(actor, action)
    data = _action_data(data)
    if not can_change(actor, action.event):
        forbidden = sorted(
            k for k, v in data.items() if k not in OWNER_FIELDS and _differs(action, k, v)
        )
        if forbidden:
            raise PermissionDenied(
                _("As the owner you may change the state and notes of this action only.")
            )
    before = action.state
    with audit.acting(actor, reason=reason), transaction.atomic():
        _apply_action(action, data)
        action.full_clean()
        action.save()
        if action.state != before:
            audit.record(
                audit.Action.TRANSITION,
                action,
                {"state": {"before": before, "after": action.state}},
                reason=reason,
            )
    return action


def set_action_state(action: FollowUpAction, actor, state: str, *, reason: str = ""):
    return update_action(action, actor, {"state": state}, reason=reason)


def delete_action(action: FollowUpAction, actor, *, reason: str = "") -> None:
    check_change(actor, action.event)
    with audit.acting(actor, reason=reason), transaction.atomic():
        action.delete()


def _differs(action: FollowUpAction, name: str, value) -> bool:
    field = FollowUpAction._meta.get_field(name)
    current = getattr(action, field.attname if field.is_relation else name)
    if field.is_relation and value is not None and not isinstance(value, int):
        value = getattr(value, "pk", value)
    return current != value


def _apply_action(action: FollowUpAction, data: dict) -> None:
    for name, value in data.items():
        field = FollowUpAction._meta.get_field(name)
        if field.is_relation and not (value is None or hasattr(value, "pk")):
            setattr(action, field.attname, value)
        else:
            setattr(action, name, value)
    # Giving one owner replaces the other (an action has exactly one).
    if data.get("owner_user") is not None and "owner_organisation" not in data:
        action.owner_organisation = None
    if data.get("owner_organisation") is not None and "owner_user" not in data:
        action.owner_user = None
    if action.state == FollowUpAction.State.DONE:
        if action.completed_on is None:
            action.completed_on = timezone.localdate()
    else:
        action.completed_on = None
    if action.notes is None:
        action.notes = ""


def close_actions(actor, ids, *, reason: str = "") -> list[FollowUpAction]:
    """Mark the follow-up actions ``ids`` done, all or none, in one transaction.

    Every row is checked first: one that ``actor`` may not see or not change, or
    that is no longer open, refuses the whole batch (``PermissionDenied`` or
    ``Conflict`` naming the rows) and nothing is closed. Each closed action is
    audited as a transition, with ``reason``."""
    try:
        wanted = sorted({int(pk) for pk in ids})
    except (TypeError, ValueError):
        raise ValidationError({"actions": _("Actions are given by their numbers.")}) from None
    if not wanted:
        raise ValidationError({"actions": _("Select at least one action.")})
    with audit.acting(actor, reason=reason), transaction.atomic():
        actions = list(
            FollowUpAction.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
        )
        visible = set(
            FollowUpAction.objects.visible_to(actor)
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
        editable = set(
            FollowUpAction.objects.editable_by(actor)
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
        unseen = [pk for pk in wanted if pk not in visible]
        if unseen:
            raise Http404(_("Not found."))
        refused = [a for a in actions if a.pk not in editable]
        if refused:
            raise PermissionDenied(
                ngettext(
                    "You may not close this action: %(actions)s. Nothing was closed.",
                    "You may not close these actions: %(actions)s. Nothing was closed.",
                    len(refused),
                )
                % {"actions": _names(refused)}
            )
        closed = [a for a in actions if a.state != FollowUpAction.State.OPEN]
        if closed:
            raise Conflict(
                ngettext(
                    "This action is no longer open: %(actions)s. Nothing was closed.",
                    "These actions are no longer open: %(actions)s. Nothing was closed.",
                    len(closed),
                )
                % {"actions": _names(closed)}
            )
        today = timezone.localdate()
        for action in actions:
            action.state = FollowUpAction.State.DONE
            action.completed_on = today
            action.save(update_fields=["state", "completed_on", "updated_at"])
            audit.record(
                audit.Action.TRANSITION,
                action,
                {"state": {"before": FollowUpAction.State.OPEN, "after": action.state}},
                reason=reason,
            )
    return actions


def _names(actions) -> str:
    return "; ".join(f"“{a}”" for a in actions)

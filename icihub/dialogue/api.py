"""REST API of the dialogue register: events (with participants, attendees,
topics, follow-up actions, citations and facts with their conflicts), follow-up
actions, and the timeline. Thin: parse, call a selector or a service, shape.

Codes, not ids, name related records: countries by ISO alpha-3 (``KWT``),
organisations and people by slug, areas by code, users by user name."""

import datetime as dt
import functools

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Query, Router, Schema, Status
from ninja.pagination import paginate

from icihub.core.access import Marking, get_visible
from icihub.core.apikit import (
    ERRORS,
    READ_ERRORS,
    Children,
    CitationKind,
    Id,
    MarkingEnum,
    Pagination,
    PartialDateOut,
    RecordCitationOut,
    RecordFactOut,
    SourceRef,
    ValuesOut,
    actor,
    api_enum,
    citation_out,
    citations_out,
    facts_of,
    facts_out,
    partial_date_out,
    prebuilt_or,
    require_signed_in,
    serve_prebuilt,
    source_ref,
    unvalidated_response,
)
from icihub.core.models import Citation, User
from icihub.menu.models import Area
from icihub.partners.models import Organisation, Person

from . import selectors, services
from .models import Attendee, Event, FollowUpAction, Participant

# The enumerations of this router, each under its own name in the document.
EventFormat = api_enum(Event.Format, "EventFormat")
EventLevel = api_enum(Event.Level, "EventLevel")
EventProvenance = api_enum(Event.Provenance, "EventProvenance")
EventParticipantRole = api_enum(Participant.Role, "EventParticipantRole")
ActionState = api_enum(FollowUpAction.State, "ActionState")

router = Router(tags=["dialogue"])


# -- shapes ---------------------------------------------------------------------------------


class EventCountryRef(Schema):
    iso3: str
    name: str


class OrganisationRef(Schema):
    slug: str
    name: str
    acronym: str


class PersonRef(Schema):
    slug: str
    name: str


class AreaRef(Schema):
    code: str
    name: str


def _country(c) -> dict | None:
    return {"iso3": c.iso3, "name": c.name} if c else None


def _organisation(o) -> dict | None:
    return {"slug": o.slug, "name": o.name, "acronym": o.acronym} if o else None


class ParticipantBrief(Schema):
    country: str | None = Field(None, description="ISO alpha-3 code")
    organisation: str | None = Field(None, description="Organisation slug")
    role: str


class EventParticipantOut(Schema):
    id: int
    country: EventCountryRef | None = None
    organisation: OrganisationRef | None = None
    role: str
    role_label: str
    note: str
    citations: list[RecordCitationOut]


class AttendeeOut(Schema):
    id: int
    person: PersonRef | None = None
    name: str
    role: str
    affiliation: str
    citations: list[RecordCitationOut]


class ActionOut(Schema):
    id: int
    event: int
    event_title: str
    description: str
    owner_user: str | None = Field(None, description="User name of the owner")
    owner_organisation: str | None = Field(None, description="Slug of the owning organisation")
    owner: str
    due: dt.date | None = None
    state: str
    completed_on: dt.date | None = None
    notes: str
    overdue: bool

    @staticmethod
    def resolve_event(obj) -> int:
        return obj.event_id

    @staticmethod
    def resolve_event_title(obj) -> str:
        return obj.event.title

    @staticmethod
    def resolve_owner_user(obj) -> str | None:
        return obj.owner_user.username if obj.owner_user_id else None

    @staticmethod
    def resolve_owner_organisation(obj) -> str | None:
        return obj.owner_organisation.slug if obj.owner_organisation_id else None

    @staticmethod
    def resolve_owner(obj) -> str:
        return str(obj.owner)

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue


class EventListOut(Schema):
    id: int
    key: str
    title: str
    format: str
    format_label: str
    date: PartialDateOut | None = Field(None, description="null when no source gives the date")
    date_stated: bool
    place: str
    venue: str | None = Field(None, description="Slug of the hosting organisation")
    venue_country: str | None = None
    level: str
    marking: str
    country: str | None = Field(None, description="The partner concerned (ISO alpha-3)")
    provenance: str
    topics: list[str]
    participants: list[ParticipantBrief]
    overdue_actions: int = Field(
        description="Overdue follow-up actions among those the caller may see (0 for a visitor)"
    )
    url: str

    @staticmethod
    def resolve_format_label(obj) -> str:
        return str(obj.get_format_display())

    @staticmethod
    def resolve_date(obj):
        return partial_date_out(obj.date)

    @staticmethod
    def resolve_date_stated(obj) -> bool:
        return obj.date is not None

    @staticmethod
    def resolve_venue(obj):
        return obj.venue.slug if obj.venue_id else None

    @staticmethod
    def resolve_venue_country(obj):
        return obj.venue_country.iso3 if obj.venue_country_id else None

    @staticmethod
    def resolve_country(obj):
        return obj.country.iso3 if obj.country_id else None

    @staticmethod
    def resolve_topics(obj) -> list[str]:
        return [a.code for a in obj.topics.all()]

    @staticmethod
    def resolve_participants(obj) -> list[dict]:
        return [
            {
                "country": p.country.iso3 if p.country_id else None,
                "organisation": p.organisation.slug if p.organisation_id else None,
                "role": p.role,
            }
            for p in obj.participants.all()
        ]

    @staticmethod
    def resolve_overdue_actions(obj) -> int:
        count = getattr(obj, "overdue_count", None)
        if count is None:
            return sum(1 for a in obj.actions.all() if a.is_overdue)
        return count

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class EventOut(EventListOut):
    title_ar: str
    date_note: str
    summary: str
    outcomes: str
    milestone_of: str | None = None
    milestone: str
    topics_detail: list[AreaRef]
    participants_detail: list[EventParticipantOut]
    attendees: list[AttendeeOut]
    actions: list[ActionOut] = Field(description="The follow-up actions the caller may see")
    citations: list[RecordCitationOut]
    facts: list[RecordFactOut] = Field(description="What the sources say, with conflicts flagged")

    @staticmethod
    def resolve_milestone_of(obj):
        return obj.milestone_of.slug if obj.milestone_of_id else None

    @staticmethod
    def resolve_topics_detail(obj) -> list[dict]:
        return [{"code": a.code, "name": a.name} for a in obj.topics.all()]

    @staticmethod
    def resolve_participants_detail(obj) -> list[dict]:
        return [
            {
                "id": p.pk,
                "country": _country(p.country),
                "organisation": _organisation(p.organisation),
                "role": p.role,
                "role_label": str(p.get_role_display()),
                "note": p.note,
                "citations": citations_out(p),
            }
            for p in obj.participants.all()
        ]

    @staticmethod
    def resolve_attendees(obj) -> list[dict]:
        return [
            {
                "id": a.pk,
                "person": {"slug": a.person.slug, "name": str(a.person)} if a.person_id else None,
                "name": a.name,
                "role": a.role,
                "affiliation": a.affiliation,
                "citations": citations_out(a),
            }
            for a in obj.attendees.all()
        ]

    @staticmethod
    def resolve_actions(obj) -> list:
        return list(obj.actions.all())

    @staticmethod
    def resolve_citations(obj) -> list[dict]:
        return citations_out(obj)

    @staticmethod
    def resolve_facts(obj) -> list[dict]:
        return facts_out(obj)


class EventFiltersIn(Schema):
    q: str | None = Field(None, description="Words in the title, place, summary or outcomes")
    format: EventFormat | None = None
    level: EventLevel | None = None
    country: str | None = Field(
        None, description="ISO alpha-3: events the country took part in, hosted or concerns"
    )
    topic: str | None = Field(None, description="Area of cooperation code, e.g. cyber-defence")
    year: str | None = Field(None, description="Four digits, e.g. 2017")
    marking: MarkingEnum | None = None
    provenance: EventProvenance | None = None


class EventParticipantIn(Schema):
    country: str | None = Field(None, description="ISO alpha-3 code (or an organisation)")
    organisation: str | None = Field(None, description="Organisation slug (or a country)")
    role: EventParticipantRole
    note: str = ""


class AttendeeIn(Schema):
    person: str | None = Field(None, description="Person slug from the registry")
    name: str = Field("", description="Name or description when not in the registry")
    role: str = Field("", description="Role at the event")
    affiliation: str = ""


class EventIn(Schema):
    title: str
    title_ar: str = ""
    format: EventFormat
    date: str | None = Field(
        None, description="Partial date: 2014, 2017-01, 2017-01-24 or a range 2018-01-22/2018-01-23"
    )
    date_note: str = ""
    place: str = ""
    venue: str | None = Field(None, description="Organisation slug, e.g. nato-ici-rc")
    venue_country: str | None = Field(None, description="ISO alpha-3 code")
    level: EventLevel | None = None
    summary: str = ""
    outcomes: str = ""
    topics: list[str] = Field(default_factory=list, description="Area codes")
    marking: MarkingEnum = Marking.REL_ICI
    country: str | None = Field(None, description="The partner concerned (ISO alpha-3)")
    milestone_of: str | None = None
    milestone: str = ""
    participants: list[EventParticipantIn] | None = Field(
        None, description="The whole list (replaces it); omit to leave it unchanged"
    )
    attendees: list[AttendeeIn] | None = Field(
        None, description="The whole list (replaces it); omit to leave it unchanged"
    )


class EventCitationIn(Schema):
    attribute: str = Field(description="The fact, e.g. date, place, outcomes")
    value: str
    source: str = Field(description="Source key, e.g. seed-002")
    kind: CitationKind = Citation.Kind.TEXT
    quote: str = ""
    locator: str = ""
    note: str = ""


class ActionIn(Schema):
    description: str
    owner_user: str | None = Field(None, description="User name (or an organisation)")
    owner_organisation: str | None = Field(None, description="Organisation slug (or a user)")
    due: dt.date | None = None
    state: ActionState = FollowUpAction.State.OPEN
    completed_on: dt.date | None = None
    notes: str = ""


class ActionChange(ActionIn):
    """What a PATCH may change (``PatchDict``: only the fields sent)."""

    reason: str = ""


class ActionFiltersIn(Schema):
    q: str | None = None
    state: ActionState | None = None
    overdue: bool | None = Field(None, description="true: overdue only; false: not overdue")
    event: Id | None = None
    owner: str | None = Field(None, description="“me” or an organisation slug")


class MilestoneOut(Schema):
    organisation: str
    attribute: str
    date: PartialDateOut | None = None
    conflict: bool


class TimelineItemOut(Schema):
    kind: str = Field(description="event, accession or milestone")
    date: PartialDateOut | None = None
    title: str
    label: str
    url: str | None = None
    event: int | None = None
    marking: str
    countries: list[str]
    topics: list[str]
    note: str
    conflict: bool = Field(description="Sources disagree on the date")
    sources: list[SourceRef]
    date_citations: list[RecordCitationOut]
    milestone: MilestoneOut | None = None


class TimelineFiltersIn(Schema):
    country: str | None = Field(None, description="ISO alpha-3 code, e.g. KWT")
    topic: str | None = Field(None, description="Area of cooperation code, e.g. cyber-defence")
    year_from: int | None = Field(
        None,
        ge=1800,
        le=2200,
        description="Only the dated items of this year or later (the year an item's date "
        "starts in); the undated items are always listed. Without it, from the first year",
    )
    year_to: int | None = Field(
        None,
        ge=1800,
        le=2200,
        description="Only the dated items of this year or earlier. Without it, to the last year",
    )


class TimelineOut(Schema):
    country: str | None = None
    topic: str | None = None
    dated: list[TimelineItemOut]
    undated: list[TimelineItemOut] = Field(description="Items no source dates, listed apart")


# -- helpers ----------------------------------------------------------------------------------


def _event_data(payload: Schema | dict, *, partial: bool) -> tuple[dict, list | None, list | None]:
    raw = dict(payload) if partial else payload.dict()  # a PatchDict: the fields sent
    participants = raw.pop("participants", None)
    attendees = raw.pop("attendees", None)
    for name in ("format", "level", "marking"):
        if raw.get(name) is not None:
            raw[name] = str(getattr(raw[name], "value", raw[name]))
    if "level" in raw and raw["level"] is None:
        raw["level"] = ""
    if partial:
        nullable = {"date", "venue", "venue_country", "country", "milestone_of", "level"}
        raw = {k: v for k, v in raw.items() if v is not None or k in nullable}
    errors = {}
    data = {}
    try:
        data = services.resolve_event_input(raw)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    rows_p = rows_a = None
    try:
        rows_p = (
            services.resolve_participants(
                [{**p, "role": str(getattr(p["role"], "value", p["role"]))} for p in participants]
            )
            if participants is not None
            else None
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        rows_a = services.resolve_attendees(attendees) if attendees is not None else None
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return data, rows_p, rows_a


def _detail(request, pk: Id) -> Event:
    return selectors.event_detail(actor(request), pk)


def _action_data(payload: Schema | dict, user, *, partial: bool) -> dict:
    raw = dict(payload) if partial else payload.dict()  # a PatchDict: the fields sent
    raw.pop("reason", None)
    if raw.get("state") is not None:
        raw["state"] = str(getattr(raw["state"], "value", raw["state"]))
    if partial:
        nullable = {"owner_user", "owner_organisation", "due", "completed_on"}
        raw = {k: v for k, v in raw.items() if v is not None or k in nullable}
    if raw.get("owner_user"):
        owner = User.objects.visible_to(user).filter(username=raw["owner_user"]).first()
        if owner is None:
            raise ValidationError(
                {"owner_user": _("Unknown user “%(v)s”.") % {"v": raw["owner_user"]}}
            )
        raw["owner_user"] = owner
    if raw.get("owner_organisation"):
        raw["owner_organisation"] = services.organisation_by_slug(
            raw["owner_organisation"], "owner_organisation"
        )
    if "notes" in raw and raw["notes"] is None:
        raw["notes"] = ""
    return raw


def _action(request, pk: Id) -> FollowUpAction:
    user = actor(request)
    return get_visible(selectors.actions_for(user), user, pk=pk)


# -- events -------------------------------------------------------------------------------------


# The register's rows as values() rows (apikit.ValuesOut): the participants and the
# topics by a query each, as the prefetches of ``selectors.events_for`` do.
EVENT_ROWS = ValuesOut(
    EventListOut,
    Event,
    paths={
        "venue": "venue__slug",
        "venue_country": "venue_country__iso3",
        "country": "country__iso3",
        "overdue_actions": "overdue_count",
    },
    computed={
        "format_label": EventListOut.resolve_format_label,
        "date": EventListOut.resolve_date,
        "date_stated": EventListOut.resolve_date_stated,
        "url": EventListOut.resolve_url,
    },
    children={
        "topics": Children("code", "dialogue_events", model=Area),
        "participants": Children(
            ValuesOut(
                ParticipantBrief,
                Participant,
                paths={"country": "country__iso3", "organisation": "organisation__slug"},
            ),
            "event",
            lambda user: selectors.participants_prefetch(user).queryset,
            scoped=(Participant,),
        ),
    },
)


@router.get(
    "/dialogue/events",
    response={200: list[EventListOut], 400: ERRORS[400], **READ_ERRORS},
    summary="Dialogue events",
)
@serve_prebuilt
@paginate(Pagination)
def event_list(request, filters: Query[EventFiltersIn]):
    user = actor(request)
    params = selectors.EventFilters.from_params(filters.dict())
    qs = selectors.filter_events(selectors.events_for(user, with_lists=False), params)
    return EVENT_ROWS.page(
        qs.order_by(*selectors.EVENT_ORDER),
        instances=lambda qs: selectors.with_event_lists(qs, user),
        user=user,
    )


@router.get(
    "/dialogue/events/{event_id}",
    response={200: EventOut, **READ_ERRORS},
    summary="One event with participants, attendees, actions, citations and facts",
)
@serve_prebuilt
def event_detail(request, event_id: Id):
    user = actor(request)
    return prebuilt_or(
        lambda: event_detail_out(selectors.event_record(user, event_id)),
        lambda: selectors.event_detail(user, event_id),
    )


# The record written by hand from values() rows (selectors.event_record) rather
# than through EventOut's resolvers: as model instances with seven prefetches,
# validated by pydantic, one event cost 11-16 ms at 10x against 0.7 of SQL. Its
# answer is EventOut's, byte for byte (tests/test_values_path.py compares the
# two paths for events with and without each of their lists); the model rules
# it shows (labels, the date's display, the owners' and people's names,
# overdue) are the models' own, called on unsaved instances made of the columns
# those rules read.


def _citations(record: selectors.EventRecord, model, pk) -> list:
    """The citations of the row ``pk`` of ``model`` (Citation instances)."""
    content_type = ContentType.objects.get_for_model(model)  # (cached)
    return record.citations.get((content_type.pk, pk), [])


def _action_out(row: dict, event: Event) -> dict:
    action = FollowUpAction(
        pk=row["pk"],
        event=event,
        due=row["due"],
        state=row["state"],
        owner_user=None
        if row["owner_user__username"] is None
        else User(
            username=row["owner_user__username"],
            first_name=row["owner_user__first_name"],
            last_name=row["owner_user__last_name"],
        ),
        owner_organisation=None
        if row["owner_organisation__slug"] is None
        else Organisation(
            slug=row["owner_organisation__slug"],
            name=row["owner_organisation__name"],
            name_ar=row["owner_organisation__name_ar"],
            acronym=row["owner_organisation__acronym"],
        ),
    )
    return {
        "id": row["pk"],
        "event": event.pk,
        "event_title": event.title,
        "description": row["description"],
        "owner_user": row["owner_user__username"],
        "owner_organisation": row["owner_organisation__slug"],
        "owner": str(action.owner),
        "due": row["due"],
        "state": row["state"],
        "completed_on": row["completed_on"],
        "notes": row["notes"],
        "overdue": action.is_overdue,
    }


def event_detail_out(record: selectors.EventRecord) -> dict:
    """:class:`EventOut` of ``record``, its fields in the schema's order."""
    row = record.event
    event = Event(pk=row["pk"], title=row["title"], format=row["format"], date=row["date"])
    roles = dict(Participant.Role.choices)
    participants = record.participants
    actions = [_action_out(a, event) for a in record.actions]
    citations = _citations(record, Event, event.pk)
    return {
        "id": event.pk,
        "key": row["key"],
        "title": row["title"],
        "format": row["format"],
        "format_label": EventListOut.resolve_format_label(event),
        "date": partial_date_out(event.date),
        "date_stated": event.date is not None,
        "place": row["place"],
        "venue": row["venue__slug"],
        "venue_country": row["venue_country__iso3"],
        "level": row["level"],
        "marking": row["marking"],
        "country": row["country__iso3"],
        "provenance": row["provenance"],
        "topics": [t["code"] for t in record.topics],
        "participants": [
            {
                "country": p["country__iso3"],
                "organisation": p["organisation__slug"],
                "role": p["role"],
            }
            for p in participants
        ],
        "overdue_actions": sum(1 for a in actions if a["overdue"]),
        "url": event.get_absolute_url(),
        "title_ar": row["title_ar"],
        "date_note": row["date_note"],
        "summary": row["summary"],
        "outcomes": row["outcomes"],
        "milestone_of": row["milestone_of__slug"],
        "milestone": row["milestone"],
        "topics_detail": [{"code": t["code"], "name": t["name"]} for t in record.topics],
        "participants_detail": [
            {
                "id": p["pk"],
                "country": None
                if p["country__iso3"] is None
                else {"iso3": p["country__iso3"], "name": p["country__name"]},
                "organisation": None
                if p["organisation__slug"] is None
                else {
                    "slug": p["organisation__slug"],
                    "name": p["organisation__name"],
                    "acronym": p["organisation__acronym"],
                },
                "role": p["role"],
                "role_label": str(roles.get(p["role"], p["role"])),
                "note": p["note"],
                "citations": [citation_out(c) for c in _citations(record, Participant, p["pk"])],
            }
            for p in participants
        ],
        "attendees": [
            {
                "id": a["pk"],
                "person": None
                if a["person__slug"] is None
                else {
                    "slug": a["person__slug"],
                    "name": str(
                        Person(
                            name=a["person__name"],
                            name_ar=a["person__name_ar"],
                            honorific=a["person__honorific"],
                        )
                    ),
                },
                "name": a["name"],
                "role": a["role"],
                "affiliation": a["affiliation"],
                "citations": [citation_out(c) for c in _citations(record, Attendee, a["pk"])],
            }
            for a in record.attendees
        ],
        "actions": actions,
        "citations": [citation_out(c) for c in citations],
        "facts": facts_of(citations),
    }


@router.post("/dialogue/events", response={201: EventOut, **ERRORS}, summary="Record an event")
def event_create(request, payload: EventIn):
    user = require_signed_in(request)
    data, participants, attendees = _event_data(payload, partial=False)
    event = services.create_event(user, data, participants=participants, attendees=attendees)
    return Status(201, _detail(request, event.pk))


@router.put(
    "/dialogue/events/{event_id}", response={200: EventOut, **ERRORS}, summary="Replace an event"
)
def event_replace(request, event_id: Id, payload: EventIn):
    user = require_signed_in(request)
    event = get_visible(Event, user, pk=event_id)
    data, participants, attendees = _event_data(payload, partial=False)
    services.update_event(event, user, data, participants=participants, attendees=attendees)
    return _detail(request, event.pk)


@router.patch(
    "/dialogue/events/{event_id}", response={200: EventOut, **ERRORS}, summary="Change an event"
)
def event_update(request, event_id: Id, payload: PatchDict[EventIn]):
    user = require_signed_in(request)
    event = get_visible(Event, user, pk=event_id)
    data, participants, attendees = _event_data(payload, partial=True)
    services.update_event(event, user, data, participants=participants, attendees=attendees)
    return _detail(request, event.pk)


@router.delete(
    "/dialogue/events/{event_id}", response={204: None, **ERRORS}, summary="Delete an event"
)
def event_delete(request, event_id: Id):
    user = require_signed_in(request)
    event = get_visible(Event, user, pk=event_id)
    services.delete_event(event, user)
    return Status(204, None)


@router.post(
    "/dialogue/events/{event_id}/participants",
    response={201: EventParticipantOut, **ERRORS},
    summary="Add a participant",
)
def participant_add(request, event_id: Id, payload: EventParticipantIn):
    user = require_signed_in(request)
    event = get_visible(Event, user, pk=event_id)
    row = services.resolve_participants([{**payload.dict(), "role": str(payload.role.value)}])[0]
    p = services.add_participant(event, user, row)
    return Status(
        201,
        {
            "id": p.pk,
            "country": _country(p.country),
            "organisation": _organisation(p.organisation),
            "role": p.role,
            "role_label": str(p.get_role_display()),
            "note": p.note,
            "citations": [],
        },
    )


@router.delete(
    "/dialogue/events/{event_id}/participants/{participant_id}",
    response={204: None, **ERRORS},
    summary="Remove a participant",
)
def participant_remove(request, event_id: Id, participant_id: Id):
    user = require_signed_in(request)
    participant = get_visible(Participant, user, pk=participant_id, event_id=event_id)
    services.remove_participant(participant, user)
    return Status(204, None)


@router.post(
    "/dialogue/events/{event_id}/attendees",
    response={201: AttendeeOut, **ERRORS},
    summary="Add an attendee",
)
def attendee_add(request, event_id: Id, payload: AttendeeIn):
    user = require_signed_in(request)
    event = get_visible(Event, user, pk=event_id)
    row = services.resolve_attendees([payload.dict()])[0]
    a = services.add_attendee(event, user, row)
    return Status(
        201,
        {
            "id": a.pk,
            "person": {"slug": a.person.slug, "name": str(a.person)} if a.person_id else None,
            "name": a.name,
            "role": a.role,
            "affiliation": a.affiliation,
            "citations": [],
        },
    )


@router.delete(
    "/dialogue/events/{event_id}/attendees/{attendee_id}",
    response={204: None, **ERRORS},
    summary="Remove an attendee",
)
def attendee_remove(request, event_id: Id, attendee_id: Id):
    user = require_signed_in(request)
    attendee = get_visible(Attendee, user, pk=attendee_id, event_id=event_id)
    services.remove_attendee(attendee, user)
    return Status(204, None)


@router.post(
    "/dialogue/events/{event_id}/citations",
    response={201: RecordCitationOut, **ERRORS},
    summary="Cite a source for a fact of the event",
)
def citation_add(request, event_id: Id, payload: EventCitationIn):
    user = require_signed_in(request)
    event = get_visible(Event, user, pk=event_id)
    c = services.add_citation(
        event,
        user,
        attribute=payload.attribute,
        value=payload.value,
        source_key=payload.source,
        kind=str(payload.kind.value),
        quote=payload.quote,
        locator=payload.locator,
        note=payload.note,
    )
    return Status(201, citation_out(c))


@router.delete(
    "/dialogue/events/{event_id}/citations/{citation_id}",
    response={204: None, **ERRORS},
    summary="Remove a citation",
)
def citation_remove(request, event_id: Id, citation_id: Id):
    user = require_signed_in(request)
    event = get_visible(Event, user, pk=event_id)
    citation = get_object_or_404(
        event.citations.visible_to(user).select_related("source"), pk=citation_id
    )
    services.remove_citation(citation, user)
    return Status(204, None)


# -- follow-up actions ----------------------------------------------------------------------------


@router.get(
    "/dialogue/actions",
    response={200: list[ActionOut], 400: ERRORS[400], **READ_ERRORS},
    summary="Follow-up actions",
)
@paginate(Pagination)
def action_list(request, filters: Query[ActionFiltersIn]):
    user = require_signed_in(request)
    params = selectors.ActionFilters(
        q=filters.q or "",
        state=filters.state or "",
        overdue="" if filters.overdue is None else ("1" if filters.overdue else "0"),
        event=str(filters.event) if filters.event is not None else "",
        owner=filters.owner or "",
    )
    return selectors.ordered_actions(
        selectors.filter_actions(selectors.actions_for(user), params, user)
    )


@router.get(
    "/dialogue/actions/{action_id}",
    response={200: ActionOut, **READ_ERRORS},
    summary="A follow-up action",
)
def action_detail(request, action_id: Id):
    return _action(request, action_id)


@router.post(
    "/dialogue/events/{event_id}/actions",
    response={201: ActionOut, **ERRORS},
    summary="Add a follow-up action to an event",
)
def action_create(request, event_id: Id, payload: ActionIn):
    user = require_signed_in(request)
    event = get_visible(Event, user, pk=event_id)
    action = services.create_action(event, user, _action_data(payload, user, partial=False))
    return Status(201, _action(request, action.pk))


@router.patch(
    "/dialogue/actions/{action_id}",
    response={200: ActionOut, **ERRORS},
    summary="Change a follow-up action (its owner: state and notes only)",
)
def action_update(request, action_id: Id, payload: PatchDict[ActionChange]):
    user = require_signed_in(request)
    action = _action(request, action_id)
    data = _action_data(payload, user, partial=True)
    services.update_action(action, user, data, reason=payload.get("reason") or "")
    return _action(request, action.pk)


@router.delete(
    "/dialogue/actions/{action_id}",
    response={204: None, **ERRORS},
    summary="Delete a follow-up action",
)
def action_delete(request, action_id: Id):
    user = require_signed_in(request)
    action = _action(request, action_id)
    services.delete_action(action, user)
    return Status(204, None)


# -- the timeline -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _date_out(date, language: str) -> dict:
    """:func:`partial_date_out` of ``date``, its days as the ISO text that the
    renderer would write for them, once per date and language for the whole
    process: a PartialDate is immutable (and parsed once per text), its display
    is in the page's language. The timeline's two thousand items hold some
    fifteen hundred distinct dates, whose display (month names through
    gettext) cost half of the items' shaping. The dictionaries are shared:
    read only (written out by orjson)."""
    out = partial_date_out(date)
    out["earliest"], out["latest"] = out["earliest"].isoformat(), out["latest"].isoformat()
    return out


def _timeline_items(items) -> list[dict]:
    """Timeline items as :class:`TimelineItemOut`. The operation answers these
    dictionaries as they are (a test holds them to the schema): pydantic's
    validation of two thousand items, each a dozen nested objects, cost more
    than the rest of the request. Each date is shaped once (:func:`_date_out`)."""
    language = get_language()
    out = []
    for item in items:
        fact = item.fact
        milestone = item.milestone
        countries, topics, sources = item.countries, item.topics, item.sources
        date = item.date
        out.append(
            {
                "kind": item.kind,
                "date": None if date is None else _date_out(date, language),
                "title": str(item.title),
                "label": str(item.label),
                "url": item.url,
                "event": item.event_id,
                "marking": item.marking,
                "countries": [c.iso3 for c in countries] if countries else [],
                "topics": [a.code for a in topics] if topics else [],
                "note": item.note,
                "conflict": bool(fact and fact.conflict),
                "sources": [source_ref(s) for s in sources] if sources else [],
                "date_citations": [citation_out(c) for c in fact.citations] if fact else [],
                "milestone": None
                if milestone is None
                else {
                    "organisation": milestone.subject.slug,
                    "attribute": milestone.attribute,
                    "date": None if milestone.date is None else _date_out(milestone.date, language),
                    "conflict": milestone.conflict,
                },
            }
        )
    return out


@router.get(
    "/dialogue/timeline",
    response={200: TimelineOut, 400: ERRORS[400], **READ_ERRORS},
    summary="The initiative's timeline: events, accessions and the Centre's milestones",
)
def timeline(request, filters: Query[TimelineFiltersIn]):
    country, topic = filters.country, filters.topic
    result = selectors.timeline(
        actor(request),
        country=country or "",
        topic=topic or "",
        year_from=filters.year_from,
        year_to=filters.year_to,
    )
    body = {
        "country": result.country.iso3 if result.country else None,
        "topic": result.topic.code if result.topic else None,
        "dated": _timeline_items(result.dated),
        "undated": _timeline_items(result.undated),
    }
    return unvalidated_response(request, body)

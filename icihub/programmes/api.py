"""REST API of the individual programmes: programmes with their nested
objectives, goals and items; the lifecycle as POST actions; versions and their
differences; execution; recommendations; requests and answers. A coordinator
sees only their own country's programmes and requests (404 on others')."""

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from icihub.core.access import Marking, Scope, get_visible
from icihub.core.apikit import (
    ERRORS,
    MAX_SMALL,
    READ_ERRORS,
    Converted,
    Count,
    Id,
    MarkingEnum,
    Pagination,
    PartialDateOut,
    actor,
    api_enum,
    partial_date_out,
    prebuilt,
    prebuilt_page,
    require_signed_in,
    serve_prebuilt,
)
from icihub.core.dates import PartialDate
from icihub.core.listing import PageThen
from icihub.core.precompiled import PrecompiledRecord
from icihub.core.sqlplan import joins_as_written
from icihub.core.text import attach
from icihub.menu.models import Activity
from icihub.partners.models import Country

from . import selectors, services
from .filters import (
    ProgrammeFilters,
    ProgrammeKind,
    RequestFilters,
    RequestKind,
)
from .models import (
    Delivery,
    PartnerRequest,
    PartnershipGoal,
    Programme,
    ProgrammeItem,
    StrategicObjective,
)

# The enumerations and numbers of this router, each enumeration under its own
# name in the document.
ItemPriority = api_enum(ProgrammeItem.Priority, "ProgrammeItemPriority")
DeliveryKind = api_enum(Delivery.Kind, "DeliveryKind")
#: The years of a programme and of its items (as on the programme's page).
PlanYear = Annotated[int, Field(ge=1990, le=2100)]

router = Router(tags=["programmes"])


# -- schemas ------------------------------------------------------------------------------


class ActivityRef(Schema):
    id: int
    code: str
    title: str
    format: str


class ProgressOut(Schema):
    planned: int
    delivered: int
    percent: int
    seats: int
    participants: int


class DeliveryOut(Schema):
    id: int
    kind: str
    session: int | None = None
    session_label: str = ""
    event: int | None = None
    event_title: str = ""
    delivered_on: dt.date
    title: str
    participants: int
    notes: str


class ItemOut(Schema):
    id: int
    activity: ActivityRef
    priority: int
    priority_label: str
    planned_year: int
    planned_quarter: int | None = None
    seats: int
    notes: str
    delivered: bool
    deliveries: list[DeliveryOut]


class GoalOut(Schema):
    id: int
    position: int
    title: str
    description: str
    target: str
    areas: list[str]
    progress: ProgressOut
    items: list[ItemOut]


class ObjectiveOut(Schema):
    id: int
    position: int
    title: str
    description: str
    progress: ProgressOut
    goals: list[GoalOut]


class ProgrammeOut(Schema):
    id: int
    country: str
    country_name: str
    kind: str
    title: str
    start_year: int
    end_year: int
    state: str
    version: int
    marking: str
    signed: PartialDateOut | None = None
    submitted_at: dt.datetime | None = None
    agreed_at: dt.datetime | None = None
    agreed_by: str | None = None
    activated_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    item_count: int | None = None
    delivered_count: int | None = None
    open_requests: int | None = None
    url: str


class ProgrammeDetailOut(ProgrammeOut):
    summary: str
    progress: ProgressOut
    objectives: list[ObjectiveOut]
    actions: dict[str, bool]


class ProgrammeFields(Schema):
    kind: ProgrammeKind
    start_year: PlanYear
    end_year: PlanYear
    title: str = ""
    summary: str = ""
    marking: MarkingEnum = Marking.REL_PARTNER


class ProgrammeIn(ProgrammeFields):
    country: str = Field(..., description="ISO alpha-3 of the partner country")


class ProgrammeChange(ProgrammeFields):
    """What a PATCH may change (``PatchDict``: only the fields sent)."""

    reason: str = ""


class TransitionIn(Schema):
    reason: str = ""
    signed: str | None = Field(None, description="Agree only: when it was signed (2016-10).")


class ObjectiveIn(Schema):
    title: str
    description: str = ""
    position: Count | None = None


class ObjectiveChange(ObjectiveIn):
    """What a PATCH may change (``PatchDict``: only the fields sent)."""

    reason: str = ""


class GoalIn(Schema):
    title: str
    description: str = ""
    target: str = ""
    areas: list[str] = []
    position: Count | None = None


class GoalChange(GoalIn):
    """What a PATCH may change (``PatchDict``: only the fields sent)."""

    reason: str = ""


class ItemFields(Schema):
    priority: ItemPriority = ProgrammeItem.Priority.MEDIUM
    planned_year: PlanYear | None = None
    planned_quarter: int | None = Field(None, ge=1, le=4)
    # the range on the type, so that PatchDict's optional copy keeps it
    seats: Annotated[int, Field(ge=0, le=500)] = 1
    notes: str = ""


class ItemIn(ItemFields):
    activity: str = Field(..., description="The menu activity's code")


class ItemChange(ItemFields):
    """What a PATCH may change (``PatchDict``: only the fields sent)."""

    reason: str = ""


class VersionOut(Schema):
    number: int
    state: str
    created_at: dt.datetime
    created_by: str | None = None
    reason: str


class VersionDetailOut(VersionOut):
    snapshot: dict


class ChangeOut(Schema):
    kind: str
    id: int
    label: str
    parent: str
    fields: dict


class ChangeSetOut(Schema):
    added: list[ChangeOut]
    removed: list[ChangeOut]
    changed: list[ChangeOut]


class DiffOut(Schema):
    from_version: int
    to_version: int
    programme: dict
    objectives: ChangeSetOut
    goals: ChangeSetOut
    items: ChangeSetOut


class MatchOut(Schema):
    item: int
    activity: str
    session: int
    session_label: str
    start: dt.date
    attendees: int
    completers: int


class GoalProgressOut(Schema):
    goal: int
    title: str
    progress: ProgressOut


class ExecutionOut(Schema):
    progress: ProgressOut
    goals: list[GoalProgressOut]
    suggested_matches: list[MatchOut]


class DeliveryIn(Schema):
    kind: DeliveryKind
    session: Id | None = None
    event: Id | None = None
    delivered_on: dt.date | None = None
    title: str = ""
    participants: Count | None = None
    notes: str = ""


class MatchIn(Schema):
    item: Id
    session: Id


class MatchesIn(Schema):
    matches: list[MatchIn]


class RecommendationOut(Schema):
    activity: ActivityRef
    score: int
    reasons: list[str]
    upcoming_sessions: int
    free_seats: int


class RequestOut(Schema):
    id: int
    country: str
    programme: Id | None = None
    kind: str
    subject: str
    details: str
    activity: str | None = None
    session: int | None = None
    seats: int | None = None
    wanted_from: dt.date | None = None
    wanted_to: dt.date | None = None
    requested_on: dt.date
    requested_by: str | None = None
    state: str
    response: str
    responded_on: dt.date | None = None
    responded_by: str | None = None
    closed_on: dt.date | None = None
    close_note: str
    age_days: int
    unanswered: bool
    overdue: bool
    marking: str
    url: str


class RequestIn(Schema):
    country: str | None = Field(None, description="ISO alpha-3 (a coordinator's own by default)")
    programme: Id | None = None
    kind: RequestKind
    subject: str
    details: str = ""
    activity: str | None = Field(None, description="Menu activity code")
    session: Id | None = None
    seats: int | None = Field(None, ge=1, le=200)
    wanted_from: dt.date | None = None
    wanted_to: dt.date | None = None
    requested_on: dt.date | None = None


class RespondIn(Schema):
    response: str
    responded_on: dt.date | None = None
    close: bool = False


class CloseIn(Schema):
    note: str = ""


class UnansweredOut(Schema):
    count: int
    overdue: int
    oldest_days: int
    oldest: int | None = None
    threshold_days: int


# -- converters ---------------------------------------------------------------------------


def _user_label(user) -> str | None:
    return user.get_username() if user is not None else None


def progress_out(p) -> dict:
    return {
        "planned": p.planned,
        "delivered": p.delivered,
        "percent": p.percent,
        "seats": p.seats,
        "participants": p.participants,
    }


def activity_ref(a: Activity) -> dict:
    return {"id": a.pk, "code": a.code, "title": a.title, "format": a.format}


def delivery_out(d: Delivery) -> dict:
    return {
        "id": d.pk,
        "kind": d.kind,
        "session": d.session_id,
        "session_label": str(d.session) if d.session_id else "",
        "event": d.event_id,
        "event_title": d.event.title if d.event_id else "",
        "delivered_on": d.delivered_on,
        "title": d.title,
        "participants": d.participants,
        "notes": d.notes,
    }


def item_out(item: ProgrammeItem) -> dict:
    deliveries = list(item.deliveries.all())
    return {
        "id": item.pk,
        "activity": activity_ref(item.activity),
        "priority": item.priority,
        "priority_label": str(item.get_priority_display()),
        "planned_year": item.planned_year,
        "planned_quarter": item.planned_quarter,
        "seats": item.seats,
        "notes": item.notes,
        "delivered": bool(deliveries),
        "deliveries": [delivery_out(d) for d in deliveries],
    }


def programme_out(p: Programme) -> dict:
    return {
        "id": p.pk,
        "country": p.country.iso3,
        "country_name": p.country.name,
        "kind": p.kind,
        "title": str(p),
        "start_year": p.start_year,
        "end_year": p.end_year,
        "state": p.state,
        "version": p.version,
        "marking": p.marking,
        "signed": partial_date_out(p.signed),
        "submitted_at": p.submitted_at,
        "agreed_at": p.agreed_at,
        "agreed_by": _user_label(p.agreed_by),
        "activated_at": p.activated_at,
        "closed_at": p.closed_at,
        "item_count": getattr(p, "item_count", None),
        "delivered_count": getattr(p, "delivered_count", None),
        "open_requests": getattr(p, "open_requests", None),
        "url": p.get_absolute_url(),
    }


def programme_detail_out(user, pk) -> dict:
    p = selectors.programme_detail(user, pk)
    return {
        **programme_out(p),
        "summary": p.summary,
        "progress": progress_out(p.progress),
        "objectives": [
            {
                "id": o.pk,
                "position": o.position,
                "title": o.title,
                "description": o.description,
                "progress": progress_out(o.progress),
                "goals": [
                    {
                        "id": g.pk,
                        "position": g.position,
                        "title": g.title,
                        "description": g.description,
                        "target": g.target,
                        "areas": [a.code for a in g.areas.all()],
                        "progress": progress_out(g.progress),
                        "items": [item_out(i) for i in g.items.all()],
                    }
                    for g in o.goals.all()
                ],
            }
            for o in p.objectives.all()
        ],
        "actions": services.allowed_actions(user, p),  # the schema's order
    }


def request_out(r: PartnerRequest) -> dict:
    return {
        "id": r.pk,
        "country": r.country.iso3,
        "programme": r.programme_id,
        "kind": r.kind,
        "subject": r.subject,
        "details": r.details,
        "activity": r.activity.code if r.activity_id else None,
        "session": r.session_id,
        "seats": r.seats,
        "wanted_from": r.wanted_from,
        "wanted_to": r.wanted_to,
        "requested_on": r.requested_on,
        "requested_by": _user_label(r.requested_by),
        "state": r.state,
        "response": r.response,
        "responded_on": r.responded_on,
        "responded_by": _user_label(r.responded_by),
        "closed_on": r.closed_on,
        "close_note": r.close_note,
        "age_days": r.age,
        "unanswered": r.is_unanswered,
        "overdue": r.is_overdue,
        "marking": r.marking,
        "url": r.get_absolute_url(),
    }


def _country(code: str | None):
    if not code:
        return None
    country = Country.objects.filter(iso3=code.upper()).first()
    if country is None:
        raise ValidationError({"country": _("Unknown country “%(code)s”.") % {"code": code}})
    return country


def _activity(user, code: str):
    activity = Activity.objects.visible_to(user).filter(code=code).first()
    if activity is None:
        raise ValidationError({"activity": _("No menu activity “%(code)s”.") % {"code": code}})
    return activity


def _patch(payload: dict, exclude=("reason",)) -> dict:
    """The fields a PATCH sent (a ``PatchDict``), but the reason."""
    return {k: v for k, v in payload.items() if k not in exclude}


def _reason(payload: dict) -> str:
    return payload.get("reason") or ""


def _strip_none(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None}


# -- programmes ------------------------------------------------------------------------------


@router.get("/programmes", response={200: list[ProgrammeOut], **READ_ERRORS})
@serve_prebuilt
@paginate(Pagination)
def list_programmes(request, filters: Query[ProgrammeFilters]):
    qs = filters.filter(
        selectors.programmes(actor(request)).order_by("country__name", "-start_year")
    )
    return prebuilt_page(
        PageThen(_programmes_as_answered(qs), selectors.attach_counts), programme_out
    )


def _programmes_as_answered(qs):
    """Programmes of ``qs`` read with only the related columns ``programme_out``
    shows (the country's code and names, the username of who agreed), not two
    whole related rows with a password hash (issue 11)."""
    return qs.only(
        *(f.name for f in Programme._meta.concrete_fields),
        "country__iso3",
        "country__name",
        "country__name_ar",
        "agreed_by__username",
    )


@router.get(
    "/programmes/export",
    response={200: None, **READ_ERRORS},
    summary="Export the visible programmes as CSV",
)
def export_programmes(request, filters: Query[ProgrammeFilters]):
    """One row per supporting activity; the ``X-Icihub-Marking`` header and the
    file's first line carry the most restrictive marking of the rows."""
    from django.http import HttpResponse

    from .exports import export_programmes as export

    qs = filters.filter(Programme.objects.visible_to(actor(request)))
    result = export(actor(request), qs)
    response = HttpResponse(result.content, content_type="text/csv; charset=utf-8")
    attach(response, result.filename)
    response["X-Icihub-Marking"] = result.marking.value
    return response


@router.post("/programmes", response={201: ProgrammeDetailOut, **ERRORS})
def create_programme(request, payload: ProgrammeIn):
    user = require_signed_in(request)
    data = payload.model_dump()
    data["country"] = _country(data["country"])
    programme = services.create_programme(user, data)
    return Status(201, programme_detail_out(user, programme.pk))


@router.get("/programmes/{int:pk}", response={200: ProgrammeDetailOut, **READ_ERRORS})
@serve_prebuilt
def get_programme(request, pk: Id):
    return prebuilt(programme_detail_out(actor(request), pk))


@router.patch("/programmes/{int:pk}", response={200: ProgrammeDetailOut, **ERRORS})
def update_programme(request, pk: Id, payload: PatchDict[ProgrammeChange]):
    user = require_signed_in(request)
    programme = services.visible_programme(user, pk)
    data = _strip_none(_patch(payload))
    services.update_programme(user, programme, data, reason=_reason(payload))
    return programme_detail_out(user, pk)


@router.delete("/programmes/{int:pk}", response={204: None, **ERRORS})
def delete_programme(request, pk: Id):
    user = require_signed_in(request)
    services.delete_programme(user, services.visible_programme(user, pk))
    return Status(204, None)


def _transition(request, pk: Id, action: str, payload: TransitionIn | None):
    user = require_signed_in(request)
    programme = services.visible_programme(user, pk)
    payload = payload or TransitionIn()
    kwargs = {}
    if action == "agree" and payload.signed:
        try:
            kwargs["signed"] = PartialDate.parse(payload.signed)
        except ValueError:
            raise ValidationError({"signed": _("Give a date such as 2016-10 or 2016-10-05.")})
    services.transition(user, programme, action, reason=payload.reason, **kwargs)
    return programme_detail_out(user, pk)


@router.post("/programmes/{int:pk}/submit", response={200: ProgrammeDetailOut, **ERRORS})
def submit(request, pk: Id, payload: TransitionIn | None = None):
    """The coordinator (or NATO staff) submit a complete draft for agreement."""
    return _transition(request, pk, "submit", payload)


@router.post("/programmes/{int:pk}/return", response={200: ProgrammeDetailOut, **ERRORS})
def return_to_draft(request, pk: Id, payload: TransitionIn | None = None):
    """NATO staff return a submitted programme to draft (a reason is required)."""
    return _transition(request, pk, "return", payload)


@router.post("/programmes/{int:pk}/agree", response={200: ProgrammeDetailOut, **ERRORS})
def agree(request, pk: Id, payload: TransitionIn | None = None):
    """NATO staff agree a submitted programme: version 1, who and when recorded."""
    return _transition(request, pk, "agree", payload)


@router.post("/programmes/{int:pk}/activate", response={200: ProgrammeDetailOut, **ERRORS})
def activate(request, pk: Id, payload: TransitionIn | None = None):
    return _transition(request, pk, "activate", payload)


@router.post("/programmes/{int:pk}/close", response={200: ProgrammeDetailOut, **ERRORS})
def close(request, pk: Id, payload: TransitionIn | None = None):
    return _transition(request, pk, "close", payload)


# -- structure ------------------------------------------------------------------------------


def _objective_out(o: StrategicObjective) -> dict:
    return {"id": o.pk, "position": o.position, "title": o.title, "description": o.description}


class ObjectiveBrief(Schema):
    id: int
    position: int
    title: str
    description: str


class GoalBrief(Schema):
    id: int
    objective: int
    position: int
    title: str
    description: str
    target: str
    areas: list[str]


def _goal_out(g: PartnershipGoal) -> dict:
    return {
        "id": g.pk,
        "objective": g.objective_id,
        "position": g.position,
        "title": g.title,
        "description": g.description,
        "target": g.target,
        "areas": [a.code for a in g.areas.order_by("position")],
    }


def _item_brief(user, pk) -> dict:
    return item_out(selectors.item_detail(user, pk))


@router.post("/programmes/{int:pk}/objectives", response={201: ObjectiveBrief, **ERRORS})
def add_objective(request, pk: Id, payload: ObjectiveIn):
    user = require_signed_in(request)
    programme = services.visible_programme(user, pk)
    objective = services.add_objective(user, programme, _strip_none(payload.model_dump()))
    return Status(201, _objective_out(objective))


def _visible_objective(user, pk):
    return get_visible(StrategicObjective.objects.select_related("programme__country"), user, pk=pk)


def _visible_goal(user, pk):
    return get_visible(
        PartnershipGoal.objects.select_related("objective__programme__country"), user, pk=pk
    )


def _visible_item(user, pk):
    return get_visible(
        ProgrammeItem.objects.select_related("activity", "goal__objective__programme__country"),
        user,
        pk=pk,
    )


@router.patch("/programmes/objectives/{int:pk}", response={200: ObjectiveBrief, **ERRORS})
def update_objective(request, pk: Id, payload: PatchDict[ObjectiveChange]):
    user = require_signed_in(request)
    objective = _visible_objective(user, pk)
    data = _strip_none(_patch(payload))
    services.update_objective(user, objective, data, reason=_reason(payload))
    return _objective_out(objective)


@router.delete("/programmes/objectives/{int:pk}", response={204: None, **ERRORS})
def delete_objective(request, pk: Id):
    user = require_signed_in(request)
    services.delete_objective(user, _visible_objective(user, pk))
    return Status(204, None)


@router.post("/programmes/objectives/{int:pk}/goals", response={201: GoalBrief, **ERRORS})
def add_goal(request, pk: Id, payload: GoalIn):
    user = require_signed_in(request)
    goal = services.add_goal(user, _visible_objective(user, pk), _strip_none(payload.model_dump()))
    return Status(201, _goal_out(goal))


@router.patch("/programmes/goals/{int:pk}", response={200: GoalBrief, **ERRORS})
def update_goal(request, pk: Id, payload: PatchDict[GoalChange]):
    user = require_signed_in(request)
    goal = _visible_goal(user, pk)
    services.update_goal(user, goal, _strip_none(_patch(payload)), reason=_reason(payload))
    return _goal_out(goal)


@router.delete("/programmes/goals/{int:pk}", response={204: None, **ERRORS})
def delete_goal(request, pk: Id):
    user = require_signed_in(request)
    services.delete_goal(user, _visible_goal(user, pk))
    return Status(204, None)


@router.get(
    "/programmes/goals/{int:pk}/recommendations",
    response={200: list[RecommendationOut], **READ_ERRORS},
)
def goal_recommendations(request, pk: Id, limit: int = Query(10, ge=1, le=50)):
    """Menu activities for the goal, best first, with the reasons."""
    user = actor(request)
    # The goal alone: goal_detail's items and deliveries are the goal page's.
    goal = _visible_goal(user, pk)
    return [
        {
            "activity": activity_ref(r.activity),
            "score": r.score,
            "reasons": [str(reason) for reason in r.reasons],
            "upcoming_sessions": len(r.sessions),
            "free_seats": r.free_seats,
        }
        for r in selectors.recommendations(goal, user, limit=limit)
    ]


@router.post("/programmes/goals/{int:pk}/items", response={201: ItemOut, **ERRORS})
def add_item(request, pk: Id, payload: ItemIn):
    user = require_signed_in(request)
    goal = _visible_goal(user, pk)
    data = _strip_none(payload.model_dump())
    data["activity"] = _activity(user, data["activity"])
    item = services.add_item(user, goal, data)
    return Status(201, _item_brief(user, item.pk))


@router.get("/programmes/items/{int:pk}", response={200: ItemOut, **READ_ERRORS})
def get_item(request, pk: Id):
    return _item_brief(actor(request), pk)


@router.patch("/programmes/items/{int:pk}", response={200: ItemOut, **ERRORS})
def update_item(request, pk: Id, payload: PatchDict[ItemChange]):
    user = require_signed_in(request)
    item = _visible_item(user, pk)
    data = _patch(payload)
    services.update_item(user, item, data, reason=_reason(payload))
    return _item_brief(user, pk)


@router.delete("/programmes/items/{int:pk}", response={204: None, **ERRORS})
def delete_item(request, pk: Id):
    user = require_signed_in(request)
    services.delete_item(user, _visible_item(user, pk))
    return Status(204, None)


# -- versions --------------------------------------------------------------------------------


def _version_out(v) -> dict:
    return {
        "number": v.number,
        "state": v.state,
        "created_at": v.created_at,
        "created_by": _user_label(v.created_by),
        "reason": v.reason,
    }


@router.get("/programmes/{int:pk}/versions", response={200: list[VersionOut], **READ_ERRORS})
@paginate(Pagination)
def list_versions(request, pk: Id):
    user = actor(request)
    programme = services.visible_programme(user, pk)
    return Converted(selectors.versions(programme, user), _version_out)


@router.get(
    "/programmes/{int:pk}/versions/{int:number}", response={200: VersionDetailOut, **READ_ERRORS}
)
def get_version(request, pk: Id, number: Id):
    user = actor(request)
    version = selectors.version(services.visible_programme(user, pk), user, number)
    return {**_version_out(version), "snapshot": version.snapshot}


@router.get("/programmes/{int:pk}/diff", response={200: DiffOut, **READ_ERRORS})
def diff(
    request,
    pk: Id,
    from_version: int = Query(..., alias="from", ge=0, le=MAX_SMALL),
    to_version: int = Query(
        0, alias="to", ge=0, le=MAX_SMALL, description="0: the programme as it is now"
    ),
):
    """Objectives, goals and items added, removed and changed between two versions."""
    user = actor(request)
    programme = services.visible_programme(user, pk)
    result = selectors.version_diff(programme, user, from_version, to_version)
    return {"from_version": from_version, "to_version": to_version, **result.as_dict()}


# -- execution -------------------------------------------------------------------------------


@router.get("/programmes/{int:pk}/execution", response={200: ExecutionOut, **READ_ERRORS})
@serve_prebuilt
def execution(request, pk: Id):
    """Planned against delivered, overall and per goal, and the suggested
    matches (sessions of planned activities attended by the country's people)."""
    user = actor(request)
    programme = selectors.programme_detail(user, pk, shown=False)
    goals = [g for o in programme.objectives.all() for g in o.goals.all()]
    matches = selectors.suggested_matches(
        programme, user, selectors.items_of(programme), shown_only=True
    )
    # Built in the schema's shape (ints, strings, dates): served as it is, not
    # validated again match by match (test_api compares both paths' bytes).
    return prebuilt(
        {
            "progress": progress_out(programme.progress),
            "goals": [
                {"goal": g.pk, "title": g.title, "progress": progress_out(g.progress)}
                for g in goals
            ],
            "suggested_matches": [
                {
                    "item": m.item.pk,
                    "activity": m.item.activity.code,
                    "session": m.session.pk,
                    "session_label": str(m.session),
                    "start": m.session.start,
                    "attendees": m.attendees,
                    "completers": m.completers,
                }
                for m in matches
            ],
        }
    )


@router.post("/programmes/{int:pk}/matches", response={200: list[DeliveryOut], **ERRORS})
def confirm_matches(request, pk: Id, payload: MatchesIn):
    user = require_signed_in(request)
    programme = services.visible_programme(user, pk)
    created = services.confirm_matches(
        user, programme, [(m.item, m.session) for m in payload.matches]
    )
    return [delivery_out(d) for d in created]


@router.get(
    "/programmes/items/{int:pk}/deliveries", response={200: list[DeliveryOut], **READ_ERRORS}
)
def list_deliveries(request, pk: Id):
    item = selectors.item_detail(actor(request), pk)
    return [delivery_out(d) for d in item.deliveries.all()]


@router.post("/programmes/items/{int:pk}/deliveries", response={201: DeliveryOut, **ERRORS})
def record_delivery(request, pk: Id, payload: DeliveryIn):
    user = require_signed_in(request)
    item = _visible_item(user, pk)
    data = _strip_none(payload.model_dump())
    delivery = services.record_delivery(user, item, data)
    return Status(201, delivery_out(delivery))


@router.delete("/programmes/deliveries/{int:pk}", response={204: None, **ERRORS})
def delete_delivery(request, pk: Id):
    user = require_signed_in(request)
    services.delete_delivery(user, get_visible(Delivery, user, pk=pk))
    return Status(204, None)


# -- requests ---------------------------------------------------------------------------------


@router.get("/programmes/requests", response={200: list[RequestOut], **READ_ERRORS})
@serve_prebuilt
@paginate(Pagination)
def list_requests(request, filters: Query[RequestFilters]):
    """Visible requests: the unanswered first, the oldest of them at the top."""
    qs = filters.filter(selectors.requests(actor(request)))
    # The page's ids first: the rows' seven joined tables made PostgreSQL plan
    # for 25 ms and join all 2,000 requests before sorting them for 50.
    return prebuilt_page(_as_answered(qs), request_out, ids_first=True)


@router.get("/programmes/requests/unanswered", response={200: UnansweredOut, **READ_ERRORS})
def unanswered(request):
    """How many visible requests await an answer, how many are overdue, the oldest."""
    summary = selectors.unanswered(actor(request))
    return {
        "count": summary.count,
        "overdue": summary.overdue,
        "oldest_days": summary.oldest_days,
        "oldest": summary.oldest.pk if summary.oldest else None,
        "threshold_days": summary.threshold,
    }


def _visible_request(user, pk):
    return get_visible(
        PartnerRequest.objects.select_related(
            "country", "programme__country", "activity", "session", "requested_by", "responded_by"
        ),
        user,
        pk=pk,
    )


def _as_answered(qs):
    """Requests of ``qs`` read with only the related columns ``request_out``
    shows (issue 11: six whole related rows, the session's course and users'
    password hashes included, were read and made into instances for two codes
    and two names)."""
    return (
        qs.select_related(None)
        .select_related("country", "activity", "requested_by", "responded_by")
        .only(
            *(f.name for f in PartnerRequest._meta.concrete_fields),
            "country__iso3",
            "activity__code",
            "requested_by__username",
            "responded_by__username",
        )
    )


# The request as ``_request_answer`` reads it, compiled to SQL once per
# reader's rights (core.precompiled.PrecompiledRecord, issue 11).
_REQUEST_RECORD = PrecompiledRecord(
    lambda scope, pk: _as_answered(PartnerRequest.objects.visible_to(scope)).filter(pk=pk)
)


def _request_answer(user, pk) -> dict:
    """``request_out`` of a request the user may see (404 otherwise)."""
    with joins_as_written(DEFAULT_DB_ALIAS):
        rows = _REQUEST_RECORD.rows(Scope(user, PartnerRequest), pk)
    if not rows:
        raise Http404(_("Not found."))
    return request_out(rows[0])


@router.post("/programmes/requests", response={201: RequestOut, **ERRORS})
def create_request(request, payload: RequestIn):
    user = require_signed_in(request)
    data = _strip_none(payload.model_dump())
    if "country" in data:
        data["country"] = _country(data["country"])
    if "activity" in data:
        data["activity"] = _activity(user, data["activity"])
    created = services.create_request(user, data)
    return Status(201, _request_answer(user, created.pk))


@router.get("/programmes/requests/{int:pk}", response={200: RequestOut, **READ_ERRORS})
@serve_prebuilt
def get_request(request, pk: Id):
    return prebuilt(_request_answer(actor(request), pk))


@router.post("/programmes/requests/{int:pk}/respond", response={200: RequestOut, **ERRORS})
def respond(request, pk: Id, payload: RespondIn):
    """NATO staff answer a request (dated; ``close`` closes it at once)."""
    user = require_signed_in(request)
    services.respond(
        user,
        _visible_request(user, pk),
        response=payload.response,
        responded_on=payload.responded_on,
        close=payload.close,
    )
    return _request_answer(user, pk)


@router.post("/programmes/requests/{int:pk}/close", response={200: RequestOut, **ERRORS})
def close_request(request, pk: Id, payload: CloseIn | None = None):
    user = require_signed_in(request)
    services.close_request(user, _visible_request(user, pk), note=payload.note if payload else "")
    return _request_answer(user, pk)

"""REST API of the shared kernel: the caller (``/me``), sources, users and roles
(staff), the caller's API tokens and the audit trail (staff).

Thin: parse, call a selector or a service, shape the answer. Access is decided
by the access model (``visible_to`` / ``get_visible``) and the services."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Query, Router, Schema, Status
from ninja.pagination import paginate

from . import countries, selectors, services
from .access import STAFF_ROLES, Marking, get_visible, require_role
from .apikit import (
    ERRORS,
    READ_ERRORS,
    ErrorOut,
    Id,
    MarkingEnum,
    Pagination,
    PartialDateOut,
    actor,
    partial_date_out,
    require_signed_in,
)
from .filters import AuditFilters, SourceFilters, SourceKind, UserFilters, UserRole
from .models import ApiToken, AuditEntry, Source, User

# The enumerations of this router, each under its own name in the document,
# are declared beside the filters (``filters.py``), which use them too.

router = Router(tags=["core"])


def _require_staff(request):
    user = require_signed_in(request)
    require_role(user, *STAFF_ROLES)
    return user


def _country(code: str | None):
    """The country for an ISO 3166 alpha-3 (or alpha-2) code; a field error otherwise."""
    from django.core.exceptions import ValidationError

    try:
        return countries.by_code(code)
    except countries.country_model().DoesNotExist:
        raise ValidationError(
            {"country": _("Unknown country “%(code)s”.") % {"code": code}}
        ) from None


# -- the caller ------------------------------------------------------------------------


class MeOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    role_label: str
    country: str | None = Field(None, description="ISO 3166 alpha-3 code (coordinators)")
    staff: bool

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.role_label)

    @staticmethod
    def resolve_country(obj) -> str | None:
        return obj.country.iso3 if obj.country_id else None

    @staticmethod
    def resolve_staff(obj) -> bool:
        return obj.is_staff_role


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="The signed-in user")
def me(request):
    return require_signed_in(request)


# -- sources ------------------------------------------------------------------------------


class SourceOut(Schema):
    key: str
    title: str
    publisher: str
    author: str
    published: PartialDateOut | None = None
    kind: str
    language: str
    url: str
    file_name: str
    marking: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_published(obj) -> dict | None:
        return partial_date_out(obj.published)


class CitedSubjectOut(Schema):
    type: str = Field(description="app_label.model of the record, e.g. partners.partnership")
    id: int
    label: str


class SourceCitationOut(Schema):
    attribute: str
    value: str
    display: str
    quote: str
    locator: str
    note: str
    subject: CitedSubjectOut


class SourceDetailOut(SourceOut):
    text: str
    citations: list[SourceCitationOut] = Field(
        description="What this source states, about the records the caller may see"
    )

    @staticmethod
    def resolve_citations(obj) -> list[dict]:
        return obj.cited


class SourceIn(Schema):
    key: str
    title: str
    publisher: str
    author: str = ""
    published: str | None = Field(
        None, description="A partial date: 2004, 2004-12, 2004-12-11, or a range a/b"
    )
    kind: SourceKind = Source.Kind.NEWS
    language: str = "en"
    url: str = ""
    file_name: str = ""
    text: str = ""
    marking: MarkingEnum = Marking.PUBLIC


def _with_citations(source: Source, user) -> Source:
    """``source`` with ``cited``: its citations of records ``user`` may see."""
    source.cited = []
    for row in selectors.cited_subjects(source, user):
        citation, subject = row["citation"], row["subject"]
        source.cited.append(
            {
                "attribute": citation.attribute,
                "value": citation.value,
                "display": citation.display_value,
                "quote": citation.quote,
                "locator": citation.locator,
                "note": citation.note,
                "subject": {
                    "type": subject._meta.label_lower,
                    "id": subject.pk,
                    "label": str(subject),
                },
            }
        )
    return source


def _source_data(payload: Schema | dict, *, partial: bool) -> dict:
    data = payload if partial else payload.dict()  # a PatchDict: the fields sent
    if partial:
        # null means "not given" for required text fields; "published" may be cleared
        data = {k: v for k, v in data.items() if v is not None or k == "published"}
    for name in ("kind", "marking"):
        if name in data and data[name] is not None:
            data[name] = str(getattr(data[name], "value", data[name]))
    if data.get("published") == "":
        data["published"] = None
    return data


@router.get("/sources", response={200: list[SourceOut], **READ_ERRORS}, summary="Sources")
@paginate(Pagination)
def source_list(request, filters: Query[SourceFilters]):
    return filters.filter(selectors.sources(actor(request)))


@router.get(
    "/sources/{key}",
    response={200: SourceDetailOut, **READ_ERRORS},
    summary="A source with the facts cited from it",
)
def source_detail(request, key: str):
    user = actor(request)
    source = get_visible(Source, user, key=key)
    return _with_citations(source, user)


@router.post("/sources", response={201: SourceDetailOut, **ERRORS}, summary="Add a source")
def source_create(request, payload: SourceIn):
    user = require_signed_in(request)
    source = services.create(Source, user, _source_data(payload, partial=False))
    return Status(201, _with_citations(source, user))


@router.put("/sources/{key}", response={200: SourceDetailOut, **ERRORS}, summary="Replace a source")
def source_replace(request, key: str, payload: SourceIn):
    user = require_signed_in(request)
    source = get_visible(Source, user, key=key)
    source = services.update(source, user, _source_data(payload, partial=False))
    return _with_citations(source, user)


@router.patch(
    "/sources/{key}", response={200: SourceDetailOut, **ERRORS}, summary="Change a source"
)
def source_update(request, key: str, payload: PatchDict[SourceIn]):
    user = require_signed_in(request)
    source = get_visible(Source, user, key=key)
    source = services.update(source, user, _source_data(payload, partial=True))
    return _with_citations(source, user)


@router.delete("/sources/{key}", response={204: None, **ERRORS}, summary="Delete a source")
def source_delete(request, key: str):
    user = require_signed_in(request)
    source = get_visible(Source, user, key=key)
    services.delete(source, user)
    return Status(204, None)


# -- users (staff) ------------------------------------------------------------------------


class UserOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    country: str | None = None
    is_active: bool
    date_joined: dt.datetime
    last_login: dt.datetime | None = None

    @staticmethod
    def resolve_country(obj) -> str | None:
        return obj.country.iso3 if obj.country_id else None


class UserIn(Schema):
    username: str
    role: UserRole
    country: str | None = Field(None, description="ISO 3166 code; required for a coordinator")
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    password: str | None = Field(
        None, description="Initial password; without it the account cannot sign in yet"
    )


class UserChange(Schema):
    """What a PATCH may change of an account (``PatchDict``: only the fields sent)."""

    role: UserRole
    country: str | None = Field(None, description="ISO 3166 code; null removes it")
    is_active: bool
    reason: str = ""


@router.get("/users", response={200: list[UserOut], 403: ErrorOut, **READ_ERRORS}, summary="Users")
@paginate(Pagination)
def user_list(request, filters: Query[UserFilters]):
    user = _require_staff(request)
    qs = User.objects.visible_to(user).select_related("country").order_by("username")
    return filters.filter(qs)


@router.get("/users/{user_id}", response={200: UserOut, **READ_ERRORS}, summary="A user")
def user_detail(request, user_id: Id):
    user = require_signed_in(request)
    return get_visible(User.objects.select_related("country"), user, pk=user_id)


@router.post("/users", response={201: UserOut, **ERRORS}, summary="Create an account (staff)")
def user_create(request, payload: UserIn):
    user = _require_staff(request)
    created = services.create_user(
        user,
        username=payload.username,
        role=payload.role.value,
        country=_country(payload.country),
        email=payload.email,
        first_name=payload.first_name,
        last_name=payload.last_name,
        password=payload.password or None,
    )
    return Status(201, created)


@router.patch(
    "/users/{user_id}",
    response={200: UserOut, **ERRORS},
    summary="Change an account's role, country or activation (staff)",
)
def user_update(request, user_id: Id, payload: PatchDict[UserChange]):
    user = require_signed_in(request)
    target = get_visible(User.objects.select_related("country"), user, pk=user_id)
    given = payload
    reason = given.get("reason") or ""
    with transaction.atomic():
        if "role" in given or "country" in given:
            role = given["role"].value if given.get("role") else target.role
            country = _country(given["country"]) if "country" in given else target.country
            services.change_role(user, target, role=role, country=country, reason=reason)
        if given.get("is_active") is not None:
            services.set_active(user, target, given["is_active"], reason=reason)
    return User.objects.select_related("country").get(pk=target.pk)


# -- API tokens (the caller's own) --------------------------------------------------------


class TokenOut(Schema):
    id: int
    prefix: str
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None
    valid: bool

    @staticmethod
    def resolve_valid(obj) -> bool:
        return obj.is_valid


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The bearer token itself: shown this once, never again")


class TokenIn(Schema):
    name: str = Field("", max_length=100, description="A label to recognise the token by")
    days: int | None = Field(None, ge=1, le=366, description="Lifetime in days (default 90)")


def _own_tokens(user):
    return ApiToken.objects.visible_to(user).filter(user=user)


@router.get("/tokens", response={200: list[TokenOut], **READ_ERRORS}, summary="My API tokens")
@paginate(Pagination)
def token_list(request):
    user = require_signed_in(request)
    return _own_tokens(user).order_by("-created_at", "-id")


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS}, summary="Create an API token")
def token_create(request, payload: TokenIn | None = None):
    user = require_signed_in(request)
    payload = payload or TokenIn()
    token, raw = services.create_token(user, user, name=payload.name, days=payload.days)
    token.token = raw
    return Status(201, token)


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS}, summary="Revoke an API token")
def token_revoke(request, token_id: Id):
    user = require_signed_in(request)
    token = get_visible(_own_tokens(user), user, pk=token_id)
    services.revoke_token(user, token)
    return Status(204, None)


# -- audit trail (staff) ------------------------------------------------------------------


class AuditOut(Schema):
    id: int
    timestamp: dt.datetime
    actor: str | None = Field(None, description="User name of the account, when there is one")
    actor_label: str
    via: str = Field(description="Channel: ui, api, admin, cli or system")
    action: str
    object_type: str | None = Field(None, description="app_label.model")
    object_id: str
    object_repr: str
    changes: dict
    reason: str
    message: str
    ip: str | None = None

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id and obj.actor else None

    @staticmethod
    def resolve_object_type(obj) -> str | None:
        ct = obj.content_type
        return f"{ct.app_label}.{ct.model}" if ct else None


@router.get(
    "/audit",
    response={200: list[AuditOut], 403: ErrorOut, **READ_ERRORS},
    summary="The audit trail (staff)",
)
@paginate(Pagination)
def audit_list(request, filters: Query[AuditFilters]):
    user = _require_staff(request)
    qs = AuditEntry.objects.visible_to(user).select_related("actor", "content_type")
    return filters.filter(qs).order_by("-timestamp", "-id")

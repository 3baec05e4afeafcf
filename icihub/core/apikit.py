"""What every app's ``api.py`` uses: bearer-token authentication, the one error
body, shared schemas (partial dates, citations, facts) and pagination."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as dt
import functools
import json
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any

import orjson
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, router
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer
from pydantic import Field
from typing_extensions import TypeAliasType

from . import audit
from .access import Marking, Scope
from .errors import Conflict
from .listing import IdsFirst, PageThen, capped_count
from .models import ApiToken, Citation, group_facts, hash_token, shown_citations
from .precompiled import Precompiled, PrecompiledRecord, PrecompiledValues
from .sqlplan import joins_as_written

# -- parameter types ------------------------------------------------------------------

#: The id of a row in a path or query parameter (``pk: Id``): a positive number
#: that fits the databases' 64-bit integers. A larger one is a 422 with the
#: field named, not an overflow in the database driver (a 500 on SQLite); the
#: OpenAPI document states the range.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

#: A calendar year in a parameter (a filter by year, a report's year): Python's
#: dates end at 9999; a larger year is a 422, not a 500 in the date lookup.
Year = Annotated[int, Field(ge=1, le=9999)]

#: The largest value of a PositiveSmallIntegerField on every database.
MAX_SMALL = 32767

#: A number of seats, days, participants or a position: what a
#: PositiveSmallIntegerField holds (0 to 32,767).
Count = Annotated[int, Field(ge=0, le=MAX_SMALL)]

#: A share in per cent.
Percent = Annotated[int, Field(ge=0, le=100)]

# Every integer a client sends has its range declared (the test of the OpenAPI
# document refuses one without): beyond it the answer is a 422 naming the field,
# not an overflow in the database or a value a page cannot show.


def api_enum(choices: type, name: str):
    """The choices of a model field as an enumeration of the API, documented
    under its own schema ``name`` (``api_enum(Session.State, "SessionState")``).

    Pydantic names an enumeration's schema after its class, and ninja merges
    the schemas of every operation into one ``components`` table: the nested
    ``State``, ``Status``, ``Level``, ``Role`` and ``Kind`` classes of different
    models replaced one another there, and every field pointed at the last one.
    A named type alias keeps the class (validation and values are the model's)
    and gives the document a name of its own; the test of the document refuses
    two enumerations of one name."""
    return TypeAliasType(name, choices)


MarkingEnum = api_enum(Marking, "Marking")
CitationKind = api_enum(Citation.Kind, "CitationKind")

# -- errors ---------------------------------------------------------------------


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """The one error body of the API (400, 401, 403, 404, 409, 422)."""

    detail: str
    code: str
    errors: list[FieldError] = []


ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    415: ErrorOut,
    422: ErrorOut,
}
READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def error_body(detail: str, code: str, errors: list[dict] | None = None) -> dict:
    return {"detail": str(detail), "code": code, "errors": errors or []}


def django_validation_errors(exc: DjangoValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        out = []
        for field, errors in exc.message_dict.items():
            name = "" if field == "__all__" else field
            out.extend({"field": name, "message": message} for message in errors)
        return out
    return [{"field": "", "message": message} for message in exc.messages]


class UnsupportedMediaType(ValueError):
    """A body that is not JSON sent to an operation that reads a JSON body."""


def is_json(content_type: str) -> bool:
    """``application/json`` or a ``+json`` type (parameters aside)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class ObjectBodyParser(Parser):
    """The body of an operation that takes JSON must be declared JSON
    (``Content-Type: application/json``): anything else (a form, a multipart
    upload, ``text/plain`` holding JSON) is a 415. It must be an object (or
    ``null`` where the body is optional). Ninja reads anything else (a bare
    string, a list, a number) as an empty object when every field of the body
    schema is optional, so such a request would succeed; it is a 400 instead.

    Ninja turns any exception of the parser into a 400 (an ``HttpError``
    raised from it): the error handler answers 415 when the cause is
    :class:`UnsupportedMediaType`."""

    def parse_body(self, request):
        if not is_json(request.META.get("CONTENT_TYPE", "")):
            raise UnsupportedMediaType(request.META.get("CONTENT_TYPE", ""))
        data = super().parse_body(request)
        if data is not None and not isinstance(data, dict):
            raise ValueError("the request body must be a JSON object")
        return data


def install_error_handlers(api) -> None:
    api.parser = ObjectBodyParser()

    def respond(request, status: int, body: dict):
        return api.create_response(request, body, status=status)

    @api.exception_handler(NinjaValidationError)
    def _schema_error(request, exc):
        errors = []
        for err in exc.errors:
            loc = [
                str(part)
                for part in err.get("loc", [])
                if part not in ("body", "query", "path", "payload", "form", "file")
            ]
            errors.append({"field": ".".join(loc), "message": err.get("msg", "invalid")})
        return respond(request, 422, error_body(_("The request is not valid."), "invalid", errors))

    @api.exception_handler(DjangoValidationError)
    def _domain_error(request, exc):
        errors = django_validation_errors(exc)
        detail = errors[0]["message"] if len(errors) == 1 else _("The request is not valid.")
        return respond(request, 400, error_body(detail, "rejected", errors))

    @api.exception_handler(Conflict)
    def _conflict(request, exc):
        return respond(request, 409, error_body(str(exc), "conflict", getattr(exc, "errors", [])))

    @api.exception_handler(IntegrityError)
    def _integrity(request, exc):
        return respond(
            request,
            409,
            error_body(
                _("This conflicts with existing data (duplicate or still in use)."), "conflict"
            ),
        )

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return respond(request, 404, error_body(_("Not found."), "not_found"))

    @api.exception_handler(ObjectDoesNotExist)
    def _does_not_exist(request, exc):
        return respond(request, 404, error_body(_("Not found."), "not_found"))

    @api.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        if not getattr(request.auth, "is_authenticated", False):
            return respond(
                request, 401, error_body(_("Sign in with a bearer token."), "unauthenticated")
            )
        return respond(request, 403, error_body(str(exc) or _("Not allowed."), "forbidden"))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return respond(
            request,
            401,
            error_body(_("Missing, invalid, expired or revoked token."), "unauthenticated"),
        )

    @api.exception_handler(HttpError)
    def _http_error(request, exc):
        if isinstance(exc.__cause__, UnsupportedMediaType):
            return respond(
                request,
                415,
                error_body(
                    _("Send the request body as JSON (Content-Type: application/json)."),
                    "unsupported_media_type",
                ),
            )
        code = {
            400: "bad_request",
            401: "unauthenticated",
            403: "forbidden",
            404: "not_found",
            409: "conflict",
        }.get(exc.status_code, "error")
        return respond(request, exc.status_code, error_body(str(exc), code))


# -- rendering ----------------------------------------------------------------------


class OrjsonRenderer(BaseRenderer):
    """The API's JSON, written by orjson (issue 11: json.dumps with ninja's
    encoder was a tenth of a list's time), parsing to the same values as ninja's
    own renderer (``json.dumps`` with ``NinjaJSONEncoder``, a
    ``DjangoJSONEncoder``).

    orjson writes ``str``, ``int``, ``float``, ``bool``, ``None``, lists, tuples,
    dicts (keys of any of those kinds as text, as ``json`` does: OPT_NON_STR_KEYS),
    UUIDs and ``TextChoices``/``IntegerChoices`` members (their value) as ``json``
    does. Everything else goes to the very ``default`` of ninja's encoder:
    datetimes, dates and times (OPT_PASSTHROUGH_DATETIME: Django writes
    milliseconds, not microseconds, and ``Z`` for UTC), Decimals, durations, lazy
    translations, pydantic models, addresses; dataclasses too
    (OPT_PASSTHROUGH_DATACLASS: ninja's encoder refuses them, so does this).

    Where orjson cannot write a value at all (an integer beyond 64 bits, a string
    with a lone surrogate, nesting deeper than 254), the answer falls back to
    ninja's renderer, which writes it (or fails) as before. The texts differ only
    in spacing and in non-ASCII characters written as UTF-8 rather than
    ``\\u`` escapes; the response's charset is UTF-8."""

    media_type = "application/json"
    charset = "utf-8"
    OPTIONS = (
        orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
    )
    _encoder = NinjaJSONEncoder()

    def render(self, request, data: Any, *, response_status: int) -> bytes:
        return render_json(data)


def render_json(data: Any) -> bytes:
    """``data`` as the API writes it (see :class:`OrjsonRenderer`)."""
    try:
        return orjson.dumps(
            data, default=OrjsonRenderer._encoder.default, option=OrjsonRenderer.OPTIONS
        )
    except orjson.JSONEncodeError:
        return json.dumps(data, cls=NinjaJSONEncoder).encode()


# -- authentication ----------------------------------------------------------------


#: The token behind a request's header, with its user and the user's country:
#: one query compiled once (core.precompiled), as it runs on every API request.
TOKEN_BY_HASH = Precompiled(
    lambda key_hash: (
        ApiToken.objects.select_related("user", "user__country")
        .filter(key_hash=key_hash)
        .order_by()
    )
)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``. A request without the header is served
    as the anonymous visitor (public data only); a bad token is a 401."""

    def __call__(self, request):
        header = request.headers.get("Authorization")
        if not header:
            user = getattr(request, "user", None)
            if (
                user is not None
                and user.is_authenticated
                and request.method in ("GET", "HEAD", "OPTIONS")
            ):
                from .security import needs_second_factor

                if not needs_second_factor(request):
                    return user  # the browser's own session, read-only (docs page)
            return AnonymousUser()
        return super().__call__(request)

    def authenticate(self, request, token: str):
        if not token:
            return None
        digest = hash_token(token)
        # read along with the rate counter when it could be (core.middleware)
        along = getattr(request, "icihub_token_read", None)
        if along is not None and along.value == digest:
            row = along.first()
        else:
            row = TOKEN_BY_HASH.first(digest)
        now = timezone.now()
        if (
            row is None
            or row.revoked_at is not None
            or row.expires_at <= now
            or not row.user.is_active
        ):
            return None
        if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=5):
            with audit.suspended():
                ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        audit.set_base(actor=row.user, via=audit.VIA_API)
        return row.user


def actor(request):
    """The user a request acts for (AnonymousUser when none)."""
    return request.auth if request.auth is not None else AnonymousUser()


def require_signed_in(request):
    user = actor(request)
    if not user.is_authenticated:
        raise AuthenticationError()
    return user


# -- shared schemas ----------------------------------------------------------------


class PartialDateOut(Schema):
    value: str
    precision: str
    display: str
    earliest: dt.date
    latest: dt.date


def partial_date_out(value) -> dict | None:
    if value is None:
        return None
    return {
        "value": value.iso(),
        "precision": value.precision,
        "display": value.display(),
        "earliest": value.earliest,
        "latest": value.latest,
    }


class SourceRef(Schema):
    key: str
    title: str
    publisher: str
    published: PartialDateOut | None = None


class RecordCitationOut(Schema):
    """A source cited for a fact of a record: the one citation shape of the API."""

    id: int
    attribute: str
    kind: str
    value: str
    display: str
    quote: str = Field(description="The passage of the source the value rests on")
    locator: str
    note: str
    source: SourceRef


class RecordStatedValueOut(Schema):
    value: str
    display: str
    sources: list[str] = Field(description="Keys of the sources stating this value")
    citations: list[RecordCitationOut]


class RecordFactOut(Schema):
    attribute: str
    conflict: bool = Field(description="True when sources state values that cannot all be true")
    values: list[RecordStatedValueOut]


def source_ref(source) -> dict:
    return {
        "key": source.key,
        "title": source.title,
        "publisher": source.publisher,
        "published": partial_date_out(source.published),
    }


def citation_out(c) -> dict:
    """One ``Citation`` as :class:`RecordCitationOut`."""
    return {
        "id": c.pk,
        "attribute": c.attribute,
        "kind": c.kind,
        "value": c.value,
        "display": c.display_value,
        "quote": c.quote,
        "locator": c.locator,
        "note": c.note,
        "source": source_ref(c.source),
    }


def citations_out(obj) -> list[dict]:
    """Citations of a Sourced record (prefetch ``citations__source``)."""
    return [citation_out(c) for c in obj.citations.all()]


def facts_out(obj) -> list[dict]:
    """What the sources say about each attribute, grouped by stated value, with the
    quoted passages; ``conflict`` when they disagree."""
    return _facts(obj.facts())


def facts_of(citations) -> list[dict]:
    """:func:`facts_out` of a record whose citations (with their sources, in
    their order) are ``citations``: for a record read as ``values()`` rows."""
    return _facts(group_facts(citations))


def _facts(facts) -> list[dict]:
    return [
        {
            "attribute": fact.attribute,
            "conflict": fact.conflict,
            "values": [
                {
                    "value": v.value,
                    "display": v.display,
                    "sources": [c.source.key for c in v.citations],
                    "citations": [citation_out(c) for c in v.citations],
                }
                for v in fact.values
            ],
        }
        for fact in facts.values()
    ]


def unvalidated_response(request, data, status: int = 200) -> HttpResponse:
    """``data`` written as the API writes every answer (:func:`render_json`),
    without validating it against the operation's response schema first: for a
    large answer built as plain dictionaries in the shape of its schema, where
    pydantic's validation of thousands of nested items would cost more than the
    rest of the request. The schema still documents the operation; a test must
    hold the answer to it."""
    return HttpResponse(
        render_json(data), status=status, content_type="application/json; charset=utf-8"
    )


class Pagination(LimitOffsetPagination):
    """``limit`` (default 50, at most 1,000) and ``offset``; answers ``{items,
    count, count_capped}``. ``count`` is exact up to ``ICIHUB_LIST_COUNT_CAP``
    (10,000) rows; a longer list answers the cap with ``count_capped`` true
    (:func:`~icihub.core.listing.capped_count`: the count stops reading there).
    ``offset`` may go past the cap."""

    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )
        # An offset beyond a 64-bit integer would overflow in the database
        # (SQLite answers with an error): a 422 instead.
        offset: int = Field(0, ge=0, le=MAX_ID)

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            description=(
                "How many rows the list holds: exact up to 10,000; "
                "10,000 when there are more (then count_capped is true)"
            )
        )
        count_capped: bool = Field(
            False,
            description="True when the list holds more rows than count says (count is the cap)",
        )

    def __init__(self, **kwargs: Any):
        super().__init__(max_limit=settings.NINJA_PAGINATION_MAX_LIMIT, **kwargs)

    def paginate_queryset(self, queryset, pagination: Input, request, **params: Any) -> Any:
        offset = pagination.offset
        limit = min(pagination.limit, self.max_limit)
        if isinstance(queryset, Converted):
            count, capped = queryset.counted()
        elif isinstance(queryset, QuerySet):
            count, capped = capped_count(queryset)
        else:
            count, capped = len(queryset), False
        return {
            "items": queryset[offset : offset + limit],
            "count": count,
            "count_capped": capped,
        }


class Converted:
    """A queryset as a sliceable sequence whose rows ``convert`` (if given)
    turns into the API's output on the way out: the paginator slices it (one
    query for the page; two with ``ids_first``, see
    :class:`~icihub.core.listing.IdsFirst`) and counts ``count_qs`` (by
    default ``qs``; one query): the same rows without what only the page
    needs, as joins made by an annotation, which a count would keep."""

    def __init__(self, qs, convert=None, count_qs=None, ids_first=False, exact_count=False):
        attach = None
        if isinstance(qs, PageThen):  # (counted, and read by ids first, as its queryset)
            qs, attach = qs.qs, qs.attach
        self.count_qs = qs if count_qs is None else count_qs
        self.qs, self.convert = (IdsFirst(qs) if ids_first else qs), convert
        if attach is not None:
            self.qs = PageThen(self.qs, attach)
        self.exact_count = exact_count

    def counted(self) -> tuple[int, bool]:
        if self.exact_count:  # a number that must hold however large (a figure's records)
            return self.count_qs.count(), False
        return capped_count(self.count_qs)

    def __len__(self):
        return self.count_qs.count()

    def __getitem__(self, index):
        rows = self.qs[index]
        return list(rows) if self.convert is None else [self.convert(row) for row in rows]


# -- the values() path of a read (issue 11) --------------------------------------------

#: Off inside :func:`schema_path` (the tests compare both paths).
_values_path = contextvars.ContextVar("icihub_values_path", default=True)


@contextlib.contextmanager
def schema_path():
    """Serve reads as before the values() path: model instances validated by the
    response schema (the tests compare the two answers)."""
    token = _values_path.set(False)
    try:
        yield
    finally:
        _values_path.reset(token)


class Prebuilt(list):
    """:class:`PrebuiltOne` rows (see :class:`ValuesOut`)."""


class PrebuiltOne(dict):
    """A record already in the shape of the response schema (see :class:`ValuesOut`)."""


@dataclasses.dataclass(frozen=True)
class Children:
    """A list field of a :class:`ValuesOut` filled by a second query, as a
    ``prefetch_related`` would: the rows of ``queryset(**context)`` (all the
    related model's rows when None) whose ``fk`` (a foreign key to the parent,
    or the related name of a many-to-many field) is one of the parents, in the
    queryset's order; each as ``rows`` builds it (the child's
    :class:`ValuesOut`), or the value of the path ``rows`` (a list of codes)."""

    rows: ValuesOut | str
    fk: str
    queryset: Callable[..., Any] | None = None
    model: Any = None  # the related model, when ``queryset`` is None
    #: ``queryset`` answers the same rows whoever asks (it ignores the context):
    #: a list of codes is then read by SQL compiled once (PrecompiledValues).
    fixed: bool = False
    #: ``queryset(user=...)`` filters only these models by ``visible``: the
    #: children of a record or a page are then read by SQL compiled once per
    #: reader's rights and number of parents (PrecompiledRecord over a Scope).
    #: ``queryset`` must then be a plain function (no closure).
    scoped: tuple = ()

    def __post_init__(self):
        if self.scoped and getattr(self.queryset, "__closure__", None):
            raise ImproperlyConfigured(f"{self.queryset!r}: scoped children need a plain function")
        if isinstance(self.rows, str) and (self.fixed or self.queryset is None):
            codes = PrecompiledValues(
                lambda ids: (
                    self._queryset({})
                    .filter(**{f"{self.fk}__in": ids})
                    .values_list(self.fk, self.rows)
                )
            )
            object.__setattr__(self, "_codes", codes)

    def _queryset(self, context: dict):
        return self.queryset(**context) if self.queryset else self.model._default_manager.all()

    def grouped(self, ids: list, context: dict, using: str = DEFAULT_DB_ALIAS) -> dict:
        """{parent id: [child, ...]} for the parents ``ids``."""
        grouped: dict = {}
        codes = getattr(self, "_codes", None)
        if codes is not None:
            for parent, value in codes.rows(ids, using):
                grouped.setdefault(parent, []).append(value)
            return grouped
        if self.scoped and context.keys() == {"user"}:
            return self._scoped_children(ids, context["user"], using)
        qs = self._queryset(context).using(using).filter(**{f"{self.fk}__in": ids})
        if isinstance(self.rows, str):
            for parent, value in qs.values_list(self.fk, self.rows):
                grouped.setdefault(parent, []).append(value)
            return grouped
        for row in qs.values(*self.rows.values, self.fk):
            grouped.setdefault(row[self.fk], []).append(self.rows._one(row, {}))
        return grouped

    def _scoped_children(self, ids: list, user, using: str) -> dict:
        read = self.__dict__.get("_scoped_read")
        if read is None:
            columns = (self.rows,) if isinstance(self.rows, str) else self.rows.values
            read = PrecompiledRecord(
                lambda scope, keys: (
                    self.queryset(user=scope)
                    .filter(**{f"{self.fk}__in": keys})
                    .prefetch_related(None)
                    .values(*columns, self.fk)
                )
            )
            object.__setattr__(self, "_scoped_read", read)
        grouped: dict = {}
        for row in read.rows(Scope(user, *self.scoped), list(ids), using):
            value = row[self.rows] if isinstance(self.rows, str) else self.rows._one(row, {})
            grouped.setdefault(row[self.fk], []).append(value)
        return grouped


class Cited:
    """A list field of a :class:`ValuesOut` made from the citations of each row
    that the context's ``user`` may see, with their sources, in their order (as
    a prefetch of ``citations__source`` reads them): ``CITATIONS`` the
    citations themselves (:func:`citation_out`), ``FACTS`` what they say per
    attribute (:func:`facts_of`). Both fields of one answer share one query."""

    CITATIONS = "citations"
    FACTS = "facts"

    def __init__(self, model, shape: str):
        self.model, self.shape = model, shape
        # a record's citations: compiled once per reader's rights and per
        # content type (whose id a database filled again may change)
        self._record = PrecompiledRecord(
            lambda scope, pk: self._citations(
                scope, ContentType.objects.get_for_model(self.model).pk
            ).filter(object_id=pk)
        )

    @staticmethod
    def _citations(user, content_type_id: int):
        return shown_citations(user).filter(content_type_id=content_type_id)

    def grouped(self, ids: list, context: dict, using: str = DEFAULT_DB_ALIAS) -> dict:
        key = ("icihub-cited", self.model)
        if key not in context:  # (one dict per ValuesOut.rows call: its children's)
            by_row: dict = {}
            content_type_id = ContentType.objects.get_for_model(self.model).pk
            if len(ids) == 1:
                citations = self._record.rows(
                    Scope(context["user"], Citation), ids[0], using, variant=content_type_id
                )
            else:
                citations = (
                    self._citations(context["user"], content_type_id)
                    .using(using)
                    .filter(object_id__in=ids)
                )
            for citation in citations:
                by_row.setdefault(citation.object_id, []).append(citation)
            context[key] = by_row
        build = _citations_list if self.shape == self.CITATIONS else facts_of
        return {pk: build(citations) for pk, citations in context[key].items()}


def _citations_list(citations) -> list[dict]:
    return [citation_out(c) for c in citations]


class ValuesOut:
    """The answer of a read built from ``values()`` rows rather than model
    instances validated by a pydantic schema (issue 11: a page of sessions built
    750 instances and validated 50 schemas, half of its time).

    It builds the very dicts that ninja's validation and ``model_dump`` of
    ``schema`` build: the schema's fields, in their order, nested schemas as
    nested dicts (``None`` for an empty nullable foreign key), each value read
    from the row by the field's name or its ``paths`` entry (a ``values()``
    path: ``"country__iso3"``, an annotation); ``computed`` fields by a function
    of the model instance made from the row's own columns (the model's rule, in
    its one home: ``lambda s: s.accepts_nominations()``); ``children`` lists by
    a second query (:class:`Children`). Nested fields are addressed with dots
    (``"participant.country"``); a nested object that is not a relation of the
    model itself is given the path to it (``"participant":
    "nomination__participant"``). A field with a ``resolve_`` method or that is
    not a column must have an entry: a schema's new field cannot be left out
    silently. The values of the database are those the schema would have
    validated (int, str, bool, date, datetime, Decimal), so ninja's
    re-validation is skipped for these answers only (``@serve_prebuilt``); each
    endpoint has a test that both paths answer the same JSON.

    The response schema stays the endpoint's ``response=``: the OpenAPI document
    does not change."""

    def __init__(
        self,
        schema,
        model,
        *,
        paths: dict[str, str] | None = None,
        computed: dict[str, Callable[[Any], Any]] | None = None,
        children: dict[str, Children | Cited] | None = None,
    ):
        self.schema, self.model = schema, model
        self.paths = paths or {}
        self.computed = computed or {}
        self.children = children or {}
        self.columns = [f.attname for f in model._meta.concrete_fields] if self.computed else []
        self.values: list[str] = ["pk", *self.columns]
        self.plan = self._plan(schema, model, prefix="", dotted="")
        self._records: dict = {}  # record(): a PrecompiledRecord per build
        unused = (set(self.paths) | set(self.computed) | set(self.children)) - self._named
        if unused:
            raise ImproperlyConfigured(f"{schema.__name__}: no such fields {sorted(unused)}")

    _named: set

    def _plan(self, schema, model, *, prefix: str, dotted: str) -> list:
        if not dotted:
            self._named = set()
        plan = []
        for name, field in schema.model_fields.items():
            key = dotted + name
            nested, nullable = _nested_schema(field.annotation)
            if key in self.computed:
                self._named.add(key)
                plan.append((name, "computed", self.computed[key]))
            elif key in self.children:
                self._named.add(key)
                plan.append((name, "children", self.children[key]))
            elif nested is not None and key in self.paths:
                # a nested object reached by a path (``"nomination__participant"``)
                path = self.paths[key]
                self._named.add(key)
                related = _related_model(model, path)
                if nullable:
                    self._column(prefix + path)
                sub = self._plan(nested, related, prefix=f"{prefix}{path}__", dotted=f"{key}.")
                plan.append((name, "nested", (sub, prefix + path if nullable else None)))
            elif key in self.paths:
                self._named.add(key)
                self._column(self.paths[key])
                plan.append((name, "value", self.paths[key]))
            elif nested is not None:
                related = model._meta.get_field(name)
                if nullable:
                    self._column(prefix + related.name)
                sub = self._plan(
                    nested, related.related_model, prefix=f"{prefix}{name}__", dotted=f"{key}."
                )
                plan.append((name, "nested", (sub, prefix + related.name if nullable else None)))
            else:
                if hasattr(schema, f"resolve_{name}"):
                    raise ImproperlyConfigured(f"{schema.__name__}.{name} is resolved: give a path")
                column = model._meta.get_field(name)  # FieldDoesNotExist: give a path
                if column.is_relation or not column.concrete:
                    raise ImproperlyConfigured(f"{schema.__name__}.{name}: give a path")
                self._column(prefix + name)
                plan.append((name, "value", prefix + name))
        return plan

    def _column(self, path: str) -> None:
        if path not in self.values:
            self.values.append(path)

    # -- building ------------------------------------------------------------------

    def _build(self, plan, row, instance, kids) -> dict:
        out = {}
        for name, kind, how in plan:
            if kind == "value":
                out[name] = row[how]
            elif kind == "nested":
                sub, null_path = how
                if null_path is not None and row[null_path] is None:
                    out[name] = None
                else:
                    out[name] = self._build(sub, row, instance, kids)
            elif kind == "computed":
                out[name] = how(instance)
            else:  # children
                out[name] = kids[name].get(row["pk"], [])
        return out

    def rows(self, qs, *, order=None, by_keys=False, **context) -> Prebuilt:
        """The rows of ``qs`` (a queryset of ``model``, sliced or not) as dicts;
        in the order of the ids ``order`` when given. ``by_keys``: ``qs``
        chooses its rows by their ids (a record, a page's known ids), so its
        joins are planned as written (:mod:`~icihub.core.sqlplan`)."""
        with joins_as_written(qs.db) if by_keys else contextlib.nullcontext():
            rows = list(qs.prefetch_related(None).values(*self.values))
            if order is not None:
                position = {pk: i for i, pk in enumerate(order)}
                rows.sort(key=lambda row: position[row["pk"]])
            return self._built(rows, qs.db, context)

    def _built(self, rows: list[dict], using: str, context: dict) -> Prebuilt:
        kids = {}
        # (``context`` is this call's own dict: children may keep in it
        # what they share, as Cited does)
        if self.children and rows:
            ids = [row["pk"] for row in rows]
            for name, child in self.children.items():
                kids[name] = child.grouped(ids, context, using)
        return Prebuilt(PrebuiltOne(self._one(row, kids, using)) for row in rows)

    def _one(self, row, kids, using: str = DEFAULT_DB_ALIAS) -> dict:
        # (from_db with every concrete column in order: the model's positional
        # __init__, twice as fast as keywords for a page of 50)
        instance = (
            self.model.from_db(using, self.columns, [row[column] for column in self.columns])
            if self.columns
            else None
        )
        return self._build(self.plan, row, instance, kids)

    def page(self, qs, *, count_qs=None, ids_first=False, instances=None, **context):
        """For ``@paginate``: on the schema path ``qs`` itself (or its
        :class:`Converted`, for ``count_qs``/``ids_first``), else a sequence whose
        slices are built rows (counted and sliced as :class:`Converted` does).
        ``instances``: what the schema path adds to ``qs`` for its model
        instances (the prefetches of the lists), left out of the values() path,
        which reads the lists itself (:class:`Children`)."""
        if not _values_path.get():
            if instances is not None:
                qs = instances(qs)
            if count_qs is None and not ids_first:
                return qs
            return Converted(qs, count_qs=count_qs, ids_first=ids_first)
        return ValuesPage(
            qs,
            lambda sliced, order=None: self.rows(
                sliced, order=order, by_keys=order is not None, **context
            ),
            count_qs=count_qs,
            ids_first=ids_first,
        )

    def ids_page(self, ids: list, fallback, **context):
        """For ``@paginate`` over ids already found and ordered in Python (the
        menu's search): a sequence whose slices are built rows in the ids' order,
        one query each. On the schema path: ``fallback`` (the same rows as model
        instances), as before."""
        if not _values_path.get():
            return fallback
        return _IdsPage(
            ids,
            lambda sliced: self.rows(
                self.model._default_manager.filter(pk__in=sliced),
                order=sliced,
                by_keys=True,
                **context,
            ),
        )

    def one(self, qs, instance_qs=None, **context):
        """The one row of ``qs`` (already narrowed to it and to what the caller may
        see), or 404. On the schema path: the model instance of ``instance_qs``
        (``qs`` by default), as before."""
        if not _values_path.get():
            try:
                return (instance_qs if instance_qs is not None else qs).get()
            except ObjectDoesNotExist:
                raise Http404(_("Not found."))
        # (unordered, as .get() reads it: the list's order joined tables for nothing)
        rows = self.rows(qs.order_by()[:2], by_keys=True, **context)
        if len(rows) != 1:
            raise Http404(_("Not found."))
        return rows[0]

    def record(self, build, user, pk: int, /, *, models: tuple, instance=None, **context):
        """The one row ``build(scope, pk)`` chooses, or 404, as :meth:`one`
        answers it for ``build(...)``; ``scope`` is the
        :class:`~icihub.core.access.Scope` of ``user`` over ``models`` (every
        model whose rows ``build`` filters by ``visible``). On the values()
        path its SQL is compiled once per connection and per scope
        (:class:`~icihub.core.precompiled.PrecompiledRecord`, issue 11). On
        the schema path: the model instance of ``instance()`` when given
        (:meth:`one`'s ``instance_qs``)."""
        if getattr(build, "__closure__", None):
            # the kept SQL is named by the scope alone: a closure could carry
            # the user (or anything else) into it unnamed
            raise ImproperlyConfigured(f"{build!r}: give a function of the scope and the key")
        scope = Scope(user, *models)
        if not _values_path.get():
            instance_qs = instance() if instance is not None else None
            return self.one(build(scope, pk), instance_qs, **context)
        read = self._records.get(build)
        if read is None:
            read = self._records[build] = PrecompiledRecord(
                lambda scope, key: (
                    build(scope, key).order_by()[:2].prefetch_related(None).values(*self.values)
                )
            )
        using = router.db_for_read(self.model)
        with joins_as_written(using):
            rows = read.rows(scope, pk, using)
            if len(rows) != 1:
                raise Http404(_("Not found."))
            return self._built(rows, using, context)[0]


class ValuesPage(Converted):
    """A :class:`Converted` (counted as it counts) whose slices are built whole by
    ``convert``, one query per slice rather than a conversion per row."""

    def __getitem__(self, index):
        if isinstance(self.qs, IdsFirst):  # the page's ids, then their rows
            ids = list(self.qs.qs.values_list("pk", flat=True)[index])
            return self.convert(self.qs.qs.order_by().filter(pk__in=ids), order=ids)
        return self.convert(self.qs[index])


class _IdsPage:
    """Ids in their order, whose slices ``build`` (see :meth:`ValuesOut.ids_page`)."""

    def __init__(self, ids: list, build):
        self.ids, self.build = ids, build

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: slice):
        return self.build(self.ids[index])


def _related_model(model, path: str):
    """The model at the end of a ``values()`` path of relations
    (``"nomination__session__course"`` from Certificate: Course)."""
    for part in path.split("__"):
        model = model._meta.get_field(part).related_model
    return model


def _nested_schema(annotation) -> tuple[type | None, bool]:
    """(the nested schema, nullable?) of a field's annotation, or (None, False)."""
    nullable = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        if len(args) != 1:
            return None, False
        annotation = args[0]
    if isinstance(annotation, type) and issubclass(annotation, Schema):
        return annotation, nullable
    return None, False


def serve_prebuilt(view):
    """Between ``@router.get`` and ``@paginate``: an answer of
    :class:`ValuesOut` (a page of :class:`Prebuilt` rows, a
    :class:`PrebuiltOne`) is written as it is, without ninja's re-validation
    by the response schema; any other answer goes to ninja as before."""

    @functools.wraps(view)
    def serve(request, *args, **kwargs):
        result = view(request, *args, **kwargs)
        # (@paginate hands the page's rows on as a plain list: each row says it)
        items = result.get("items") if type(result) is dict else None
        if isinstance(result, PrebuiltOne) or (
            items and all(isinstance(item, PrebuiltOne) for item in items)
        ):
            return HttpResponse(render_json(result), content_type="application/json; charset=utf-8")
        return result

    return serve


class PrebuiltPage(Converted):
    """A :class:`Converted` (counted as it counts) whose ``convert`` already
    answers the response schema's dicts (its fields, in order, with the values
    the schema would validate): served without re-validation (``@serve_prebuilt``)."""

    def __getitem__(self, index):
        return [PrebuiltOne(self.convert(row)) for row in self.qs[index]]


def prebuilt_page(qs, convert, *, ids_first=False):
    """For ``@paginate``: ``Converted(qs, convert)`` whose rows skip ninja's
    re-validation, except on the schema path (:func:`schema_path`). Each
    endpoint that uses it has a test that both paths answer the same bytes.
    ``ids_first``: the page read in two queries (:class:`~icihub.core.listing.IdsFirst`)."""
    page = PrebuiltPage if _values_path.get() else Converted
    return page(qs, convert, ids_first=ids_first)


def prebuilt(answer: dict) -> dict:
    """A record's answer already in the response schema's shape (see
    :func:`prebuilt_page`), served without re-validation."""
    return PrebuiltOne(answer) if _values_path.get() else answer


def prebuilt_or(build: Callable[[], Any], fallback: Callable[[], Any]) -> Any:
    """For a record built by hand from ``values()`` rows: ``build()`` (the
    response schema's dicts) served without re-validation (``@serve_prebuilt``);
    on the schema path (:func:`schema_path`) ``fallback()``, what the endpoint
    answered before (model instances validated by the schema), so that the
    test comparing both paths compares the hand-built answer with the schema's."""
    return PrebuiltOne(build()) if _values_path.get() else fallback()

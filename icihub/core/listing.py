"""List pages: search, filters and pagination, rendered whole or, for htmx
requests, as the results fragment only. Views pass an already-scoped queryset
(``Model.objects.visible_to(user)``); this never widens it.

The filters of a model are declared once, as a :class:`ModelFilters` (a
django-ninja ``FilterSchema``) in the app's ``filters.py``: the API takes it as
its query parameters, a :class:`ListPage` reads its lookups and validation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from functools import reduce
from operator import and_, or_
from typing import Any, ClassVar

import pydantic
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import render
from django.utils.functional import cached_property
from ninja import FilterSchema
from pydantic import PrivateAttr, field_validator

from .sqlplan import joins_as_written
from .text import search_terms


class ModelFilters(FilterSchema):
    """The filters of one model's lists, declared once for its API list
    endpoint and its list page (``<app>/filters.py``).

    Each field is a query parameter: its type validates the value (the API
    answers a 422 naming the field; a page ignores the value) and its
    ``FilterLookup`` (or a ``filter_<name>`` method returning a ``Q``) says how
    it filters. A field whose lookup crosses a to-many relation is named in
    ``distinct_fields``: a list filtered by it is made distinct. (Ninja calls a
    ``filter_<name>`` method for an absent value too, then drops its answer:
    the method must not fail on ``None``.) An empty value
    is no filter. The API takes the class as ``filters: Query[SessionFilters]``
    and returns ``filters.filter(qs)``; a :class:`ListPage` names it
    (``filterset=``) and shows the fields its ``filters`` list (label and
    choices). A field only a page offers is declared in a subclass
    (``SessionPageFilters(SessionFilters)``), so that the API's parameters do
    not grow.

    Why ninja's ``FilterSchema`` rather than django-filter's ``FilterSet``
    (NetBox's way): the API is django-ninja, which documents a schema's
    fields as typed query parameters (ranges, named enumerations) and turns
    their errors into the API's one error body; a ``FilterSet`` would need a
    translation into both, while the pages need no more than the lookups and
    the validation a schema already gives."""

    distinct_fields: ClassVar[frozenset[str]] = frozenset()
    #: The user the list is for, while :meth:`filter` runs: a filter through
    #: another model reads only the rows they may see of it (``self.for_user``;
    #: not ``user``, which a filter may name a field).
    _user: Any = PrivateAttr(default=None)

    @property
    def for_user(self):
        return self._user

    @field_validator("*", mode="after")
    @classmethod
    def _empty_is_no_filter(cls, value):
        return None if value == "" else value

    def filter(self, queryset, user=None):
        self._user = user
        queryset = super().filter(queryset)
        if any(getattr(self, name) is not None for name in self.distinct_fields):
            queryset = queryset.distinct()
        return queryset


@dataclass
class Filter:
    """A filter shown on a list page: ``name`` in the query string, the page's
    ``filterset`` field ``schema_field`` (by default the one named ``name``),
    which gives its type and lookup. Keyword arguments after the label (a
    lookup given in third place, as before the declarations, fails at once)."""

    name: str
    label: str
    _: KW_ONLY
    choices: Callable[[object], list[tuple[str, str]]] | list[tuple[str, str]] = field(
        default_factory=list
    )
    input: str = "select"  # "select", "text" or "date"
    schema_field: str = ""

    @property
    def field_name(self) -> str:
        return self.schema_field or self.name

    def options(self, request) -> list[tuple[str, str]]:
        return self.choices(request) if callable(self.choices) else list(self.choices)


def search(qs: QuerySet, query: str, fields: list[str]) -> QuerySet:
    """Every term must match one of ``fields`` (case- and accent-insensitive on
    normalised fields, case-insensitive elsewhere)."""
    for term in search_terms(query):
        qs = qs.filter(reduce(or_, (Q(**{f"{f}__icontains": term}) for f in fields)))
    return qs


def search_q(query: str, fields: list[str]) -> Q:
    """:func:`search` as one condition, for a ``ModelFilters``' ``filter_q``
    (the same rows when ``fields`` cross no to-many relation)."""
    terms = [
        reduce(or_, (Q(**{f"{f}__icontains": term}) for f in fields))
        for term in search_terms(query or "")
    ]
    return reduce(and_, terms, Q())


def capped_count(qs: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """``(count, capped)``: the rows of ``qs``, counted exactly up to ``cap``
    (``ICIHUB_LIST_COUNT_CAP``, 10,000); beyond it ``(cap, True)``. The count
    reads at most ``cap + 1`` rows, without the order, the related rows
    (``select_related``) or the annotations the page selects: ``SELECT COUNT(*)
    FROM (SELECT id ... LIMIT cap + 1)``. (Joins an annotation made stay: count
    a queryset without them, as :class:`~icihub.core.apikit.Converted` allows.)

    Hand-written: Django's ``Paginator`` and ninja's paginators count
    everything, and no library caps a count on both databases."""
    cap = settings.ICIHUB_LIST_COUNT_CAP if cap is None else cap
    found = qs.order_by().values("pk")[: cap + 1].count()
    return (cap, True) if found > cap else (found, False)


class PagedQuerySet:
    """A queryset read a page at a time by :meth:`page` (a slice): slice it like
    the queryset; it counts, and the paginators count, the queryset (``.qs``)."""

    qs: QuerySet

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return self.page(index)

    def page(self, index: slice) -> list:
        raise NotImplementedError


class IdsFirst(PagedQuerySet):
    """A queryset read a page at a time in two queries: the page's ids (its
    filter and its order, without the rows ``select_related`` joins), then
    those rows whole, in that order. Slice it like the queryset; the
    paginators count the queryset (``.qs``).

    Why: SQLite orders the joins of a query by the size of the tables, so the
    page query of a list that joins six related tables to show them (a
    coordinator's certificates, nominations, attendance) started from the
    smallest (the 60 courses), walked every row of the country and sorted
    them all for 50 (100 ms and more at 10x); the query of the ids alone
    follows the order's index (0.3 ms). PostgreSQL plans either well."""

    def __init__(self, qs: QuerySet):
        self.qs = qs

    def page(self, index: slice) -> list:
        ids = list(self.qs.values_list("pk", flat=True)[index])
        with joins_as_written(self.qs.db):
            rows = {row.pk: row for row in self.qs.order_by().filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]


class PageThen(PagedQuerySet):
    """A queryset (or :class:`IdsFirst`) read a page at a time, whose page's rows
    ``attach(rows)`` then completes in one more read (a programme's counts by
    the page's ids, rather than three correlated subqueries compiled into every
    page query: 1 ms of Python a request, issue 11)."""

    def __init__(self, qs, attach: Callable[[list], None]):
        self.qs, self.attach = qs, attach

    def page(self, index: slice) -> list:
        rows = list(self.qs[index])
        self.attach(rows)
        return rows


def _unwrapped(rows):
    while isinstance(rows, PagedQuerySet):
        rows = rows.qs
    return rows


class CappedPaginator(Paginator):
    """Django's paginator with :func:`capped_count`: ``count`` is exact up to
    the cap, else the cap, and ``capped`` says which. The pages go as far as
    the cap: a longer list is narrowed with its search and filters."""

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        rows = _unwrapped(self.object_list)
        if isinstance(rows, QuerySet):
            return capped_count(rows)
        return len(rows), False

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def capped(self) -> bool:
        return self._counted[1]


@dataclass
class ListPage:
    template: str
    results_template: str
    search_fields: list[str] = field(default_factory=list)  # or the filterset's q
    filters: list[Filter] = field(default_factory=list)
    filterset: type[ModelFilters] | None = None
    per_page: int = 25
    orderings: dict[str, str] = field(default_factory=dict)  # ?sort=key -> order_by expression
    #: read the page as :class:`IdsFirst` (a list joining many tables to show them)
    ids_first: bool = False
    #: completes the page's rows in one more read (:class:`PageThen`)
    attach: Callable[[list], None] | None = None

    def __post_init__(self):
        if self.filters and self.filterset is None:
            raise ImproperlyConfigured("A ListPage's filters are fields of its filterset.")
        if self.filterset is not None:
            unknown = {f.field_name for f in self.filters} - set(self.filterset.model_fields)
            if unknown:
                raise ImproperlyConfigured(
                    f"{self.filterset.__name__} has no field {', '.join(sorted(unknown))}"
                )

    def render(self, request, qs: QuerySet, context: dict | None = None):
        query = request.GET.get("q", "").strip()
        if query and self.search_fields:
            qs = search(qs, query, self.search_fields)
        active = {}
        if self.filterset is not None:
            qs, active = self._apply_filterset(request, qs, query)
        sort = request.GET.get("sort", "")
        if sort in self.orderings:
            qs = qs.order_by(*self.orderings[sort].split(","))
        rows = IdsFirst(qs) if self.ids_first else qs
        if self.attach is not None:
            rows = PageThen(rows, self.attach)
        page = CappedPaginator(rows, self.per_page).get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        ctx = {
            "page_obj": page,
            "object_list": page.object_list,
            "query": query,
            "filters": [
                {
                    "name": flt.name,
                    "label": flt.label,
                    "options": flt.options(request),
                    "value": active.get(flt.name, ""),
                    "input": flt.input,
                }
                for flt in self.filters
            ],
            "querystring": params.urlencode(),
            "sort": sort,
            "results_template": self.results_template,
            **(context or {}),
        }
        if getattr(request, "htmx", False) and request.htmx.target == "results":
            return render(request, self.results_template, ctx)
        return render(request, self.template, ctx)

    def _apply_filterset(self, request, qs: QuerySet, query: str) -> tuple[QuerySet, dict]:
        """The shown filters through the model's one declaration: each value
        is validated alone, and a malformed one is ignored (not a 500). A page
        without ``search_fields`` searches with the declaration's ``q``."""
        active, values = {}, {}
        if query and not self.search_fields and "q" in self.filterset.model_fields:
            values["q"] = query
        for flt in self.filters:
            value = request.GET.get(flt.name, "").strip()
            if value:
                try:
                    self.filterset.model_validate({flt.field_name: value})
                except pydantic.ValidationError:
                    continue
                active[flt.name] = values[flt.field_name] = value
        return self.filterset.model_validate(values).filter(qs, user=request.user), active

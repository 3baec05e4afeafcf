"""List pages: search, filters and pagination, rendered whole or, for htmx
requests, as the results fragment only. Views pass an already-scoped queryset
(``Model.objects.visible_to(user)``); this never widens it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import render

from .text import search_terms


@dataclass
class Filter:
    """A select filter: ``name`` in the query string, applied as ``lookup``."""

    name: str
    label: str
    lookup: str
    choices: Callable[[object], list[tuple[str, str]]] | list[tuple[str, str]] = field(
        default_factory=list
    )
    distinct: bool = False
    input: str = "select"  # "select", "text" or "date"

    def options(self, request) -> list[tuple[str, str]]:
        return self.choices(request) if callable(self.choices) else list(self.choices)


def search(qs: QuerySet, query: str, fields: list[str]) -> QuerySet:
    """Every term must match one of ``fields`` (case- and accent-insensitive on
    normalised fields, case-insensitive elsewhere)."""
    for term in search_terms(query):
        qs = qs.filter(reduce(or_, (Q(**{f"{f}__icontains": term}) for f in fields)))
    return qs


@dataclass
class ListPage:
    template: str
    results_template: str
    search_fields: list[str] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    per_page: int = 25
    orderings: dict[str, str] = field(default_factory=dict)  # ?sort=key -> order_by expression

    def render(self, request, qs: QuerySet, context: dict | None = None):
        query = request.GET.get("q", "").strip()
        if query and self.search_fields:
            qs = search(qs, query, self.search_fields)
        active = {}
        needs_distinct = False
        for flt in self.filters:
            value = request.GET.get(flt.name, "").strip()
            if value:
                try:
                    qs = qs.filter(**{flt.lookup: value})
                except (ValueError, TypeError, ValidationError):
                    continue  # a malformed filter value is ignored, not a 500
                active[flt.name] = value
                needs_distinct = needs_distinct or flt.distinct
        if needs_distinct:
            qs = qs.distinct()
        sort = request.GET.get("sort", "")
        if sort in self.orderings:
            qs = qs.order_by(*self.orderings[sort].split(","))
        page = Paginator(qs, self.per_page).get_page(request.GET.get("page"))
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

"""Small helpers that views of every app share.

- :func:`is_safe_url`: may the browser be sent to this address (same host; on
  HTTPS, HTTPS only)?
- :func:`safe_next`: the request's ``next`` (POST, then GET) when it is safe,
  otherwise the view's own default: never an open redirect.

- :func:`url_maker`: one URL pattern's addresses for many rows from one
  ``reverse``; :func:`pk_url`, a model's ``get_absolute_url`` made of it.

Service errors shown on a form are :func:`icihub.core.forms.add_service_errors`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.http import url_has_allowed_host_and_scheme

_FROM_REQUEST = object()


def is_safe_url(request, url: str | None) -> bool:
    """``url`` stays on this site (the request's host) and, when the request
    came over HTTPS, does not fall back to plain HTTP."""
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request, default: str, url: str | None = _FROM_REQUEST) -> str:  # type: ignore[assignment]
    """Where to go after an action: ``url`` (by default the request's ``next``,
    from the POST data, then the query string) when :func:`is_safe_url`, else
    ``default``."""
    if url is _FROM_REQUEST:
        url = request.POST.get("next") or request.GET.get("next")
    return url if is_safe_url(request, url) else default


# Digits, so that every path converter (int, slug, str) accepts it.
_MARK = "9081726354"


def url_maker(name: str) -> Callable[[object], str]:
    """``lambda arg: reverse(name, args=[arg])`` from one ``reverse``: the
    address of each of thousands of rows (a ``reverse`` costs tens of
    microseconds; the dialogue timeline links two thousand events). For a URL
    with one argument, given as an id or a slug (characters that need no
    quoting). Made per request: the script prefix is the request's."""
    path = reverse(name, args=[_MARK])
    head, _mark, tail = path.partition(_MARK)
    if _MARK in tail:  # pragma: no cover - a pattern repeating its argument
        raise ValueError(f"{name} repeats its argument")
    return lambda arg: f"{head}{arg}{tail}"


def pk_url(name: str) -> Callable[[object], str]:
    """A model's ``get_absolute_url`` for the URL pattern ``name`` of one
    argument, the row's id: ``get_absolute_url = pk_url("app:detail")``.
    ``reverse(name, args=[self.pk])`` costs 20–70 µs, 1–3.5 ms for the links
    of a page of 50 rows of the API (issue 11); this reverses the pattern once
    for each script prefix and URL configuration in use (:func:`url_maker`),
    then joins strings."""

    def get_absolute_url(obj) -> str:
        return _pattern_maker(name, get_script_prefix(), get_resolver(get_urlconf()))(obj.pk)

    get_absolute_url.pattern = name  # (the tests compare each with reverse)
    return get_absolute_url


@functools.lru_cache(maxsize=512)
def _pattern_maker(name: str, _prefix: str, _resolver) -> Callable[[object], str]:
    # The prefix and the resolver are keys only: url_maker reverses under the
    # current ones, which they are.
    return url_maker(name)

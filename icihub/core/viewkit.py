"""Small helpers that views of every app share.

- :func:`is_safe_url`: may the browser be sent to this address (same host; on
  HTTPS, HTTPS only)?
- :func:`safe_next`: the request's ``next`` (POST, then GET) when it is safe,
  otherwise the view's own default: never an open redirect.

Service errors shown on a form are :func:`icihub.core.forms.add_service_errors`.
"""

from __future__ import annotations

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

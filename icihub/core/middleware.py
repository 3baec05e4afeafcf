"""Request middleware of the shared kernel: the session's idle timeout, the
audit context, the second factor required of staff, security headers
(Content-Security-Policy) and the API's rate limit."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import ngettext
from whitenoise.middleware import WhiteNoiseMiddleware

from . import audit, ratelimit
from .precompiled import ReadAlong
from .text import forbidden_character, forbidden_character_message, without_control_characters


def client_ip(request) -> str | None:
    """The client's address. Behind a reverse proxy (``ICIHUB_BEHIND_PROXY=1``)
    it is the last address of X-Forwarded-For, the one our proxy appended (the
    ones before it are whatever the client claimed)."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        parts = [p.strip() for p in forwarded.split(",") if p.strip()]
        if parts:
            return parts[-1][:45]
    return request.META.get("REMOTE_ADDR") or None


class IdleSessionMiddleware(SessionMiddleware):
    """Django's session middleware with the idle timeout: a request extends the
    session (to SESSION_COOKIE_AGE from now), but the session row is written
    only when that moves its stored expiry by more than
    ``sessions.IDLE_SLACK`` (a minute), not on every page view as
    SESSION_SAVE_EVERY_REQUEST would."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        is_stale = getattr(session, "is_stale", None)
        if is_stale is not None and not session.modified and not session.is_empty() and is_stale():
            session.modified = True
        return super().process_response(request, response)


class AuditContextMiddleware:
    """Every write during a request is attributed to the signed-in user and to
    the channel it came through (the web UI, the admin or the API)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith("/admin/"):
            via = audit.VIA_ADMIN
        elif path.startswith("/api/"):
            via = audit.VIA_API
        else:
            via = audit.VIA_UI
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        with audit.acting(actor, via=via, ip=client_ip(request), reason=""):
            return self.get_response(request)


# -- the second factor --------------------------------------------------------------------


class TwoFactorMiddleware:
    """A signed-in account whose role requires two-factor authentication
    reaches nothing but the enrolment (or code) page and sign-out until its
    session has passed the second factor. The API is not concerned: bearer
    tokens are issued to accounts, and a browser session is served there only
    once verified (``apikit.TokenAuth``)."""

    OPEN_PREFIXES = ("/static/", "/i18n/", "/api/", "/favicon")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from . import security

        path = request.path_info
        if not path.startswith(self.OPEN_PREFIXES) and security.needs_second_factor(request):
            allowed = {
                reverse("core:two_factor_setup"),
                reverse("core:two_factor_verify"),
                reverse("core:logout"),
            }
            if path not in allowed:
                target = (
                    "core:two_factor_verify"
                    if security.has_2fa(request.user)
                    else "core:two_factor_setup"
                )
                url = reverse(target)
                here = request.get_full_path()
                if request.method == "GET" and url_has_allowed_host_and_scheme(
                    here, allowed_hosts={request.get_host()}
                ):
                    url += "?" + urlencode({"next": here})
                response = HttpResponseRedirect(url)
                if request.headers.get("HX-Request"):
                    response["HX-Redirect"] = url
                return response
        return self.get_response(request)


# -- security headers -------------------------------------------------------------------------

DEFAULT_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def content_security_policy() -> str:
    policy = dict(DEFAULT_CSP)
    policy.update(settings.ICIHUB_CSP)
    return "; ".join(f"{k} {v}".strip() for k, v in policy.items() if v is not None)


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline script or style, nothing from
    outside, no framing), Permissions-Policy and Cross-Origin-Resource-Policy
    on every response. HSTS, nosniff, Referrer-Policy and COOP come from
    Django's SecurityMiddleware, X-Frame-Options from its clickjacking one."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


# -- API rate limit ----------------------------------------------------------------------------


def rate_limits() -> tuple[int, int, int]:
    """(requests per window with a token, without one per address, window seconds)."""
    return (
        settings.ICIHUB_API_RATE_TOKEN,
        settings.ICIHUB_API_RATE_ANON,
        max(1, settings.ICIHUB_API_RATE_WINDOW),
    )


class ApiRateLimitMiddleware:
    """At most ``ICIHUB_API_RATE_TOKEN`` API requests per window and bearer
    token, and ``ICIHUB_API_RATE_ANON`` per window and address without one
    (0 turns a limit off). Beyond it: 429 with the API's error body and
    Retry-After. Counted in Django's cache, which every server shares (the
    database's cache table with an atomic increment, or Redis: settings'
    ``ICIHUB_CACHE_URL``), so the limit holds across processes and servers.

    This is the API's one rate limiter; django-ninja's throttles
    (``NinjaAPI(throttle=[...])``) are deliberately not used beside it (issue 13
    point 4 allows one of the two). Ninja's ``SimpleRateThrottle`` keeps a list
    of timestamps that it reads and writes back (``cache.get`` then
    ``cache.set``): two servers answering at once both write, and requests are
    lost from the count, so the limit is not one limit across servers; this
    counter is atomic (one upsert-increment in the database cache,
    ``operations.cache.DatabaseCache.hit``; Redis's INCR). Ninja also throttles only after
    authentication, so requests with wrong tokens (guessing) would never be
    counted, and it sends neither the X-RateLimit-* headers clients read nor
    the API's error body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        per_token, per_address, window = rate_limits()
        header = request.headers.get("Authorization", "")
        along = None
        if header.lower().startswith("bearer "):
            digest = hashlib.sha256(header[7:].strip().encode()).hexdigest()
            ident = "t:" + digest[:32]
            limit = per_token
            if limit > 0:
                from .apikit import TOKEN_BY_HASH

                # the token's read, which the count may carry in its round trip
                # (apikit.TokenAuth takes it from there)
                along = request.icihub_token_read = ReadAlong(TOKEN_BY_HASH, digest)
        else:
            ident = f"a:{client_ip(request)}"
            limit = per_address
        if limit <= 0:
            return self.get_response(request)
        counted = ratelimit.hit("", ident, limit, window, along)
        if not counted.allowed:
            from .apikit import error_body

            detail = ngettext(
                "Too many requests: try again in %(s)d second.",
                "Too many requests: try again in %(s)d seconds.",
                counted.retry_after,
            ) % {"s": counted.retry_after}
            response = JsonResponse(error_body(detail, "rate_limited"), status=429)
            response["Retry-After"] = str(counted.retry_after)
            response["X-RateLimit-Limit"] = str(limit)
            response["X-RateLimit-Remaining"] = "0"
            return response
        response = self.get_response(request)
        response["X-RateLimit-Limit"] = str(limit)
        response["X-RateLimit-Remaining"] = str(counted.remaining)
        return response


class NulCharacterMiddleware:
    """Text holding a character no text field may hold (NUL, the other control
    characters but tab and line breaks, lone surrogates:
    ``core.text.forbidden_character``) is refused before any view reads it:
    PostgreSQL cannot hold a NUL, an XLSX file no other control character, and
    stored they broke exports for everyone. The path, the query string, a
    form's fields and a JSON body are checked; an API request gets the API's
    error body (422 naming the field, as any invalid input), a page the 400
    page with the message. A cookie holding one is dropped (as if absent).
    Runs before the session is read.

    An API request's form fields are not read here: the API's one multipart
    operation (the menu import) checks its file's text itself, and reading
    them would consume a JSON endpoint's body before the API refuses it (415)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [k for k, v in request.COOKIES.items() if _bad(k) or _bad(v)]:
            del request.COOKIES[name]
        found = _forbidden_field(request)
        if found is not None:
            field, char = found
            message = forbidden_character_message(char)
            if request.path.startswith("/api/"):
                from .apikit import error_body

                body = error_body(message, "invalid", [{"field": field, "message": message}])
                return JsonResponse(body, status=422)
            return HttpResponseBadRequest(
                loader.get_template("400.html").render({"message": message})
            )
        return self.get_response(request)


def _bad(text: str) -> bool:
    return forbidden_character(text) is not None


def _forbidden_field(request) -> tuple[str, str] | None:
    """(the name of the first input holding a forbidden character, that
    character), or None."""
    char = forbidden_character(request.path)
    if char is not None:
        return "path", char
    found = _in_fields(request.GET)
    if found is not None:
        return found
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if request.path.startswith("/api/"):
                return None
            return _in_fields(request.POST)
        # Raw C0 controls are not valid JSON (the API answers that itself);
        # escaped ones ("\u0007", "\ud800") and raw C1 controls are.
        if content_type.endswith("json") and request.body:
            import json

            try:
                data = json.loads(request.body)
            except ValueError:
                return None  # not JSON: the API answers that itself
            return _in_json(data, "")
    return None


def _in_fields(query) -> tuple[str, str] | None:
    """The first field of a QueryDict whose name or a value holds a forbidden
    character."""
    for key, values in query.lists():
        for text in (key, *values):
            char = forbidden_character(text)
            if char is not None:
                return without_control_characters(key), char
    return None


def _in_json(value, where: str) -> tuple[str, str] | None:
    if isinstance(value, str):
        char = forbidden_character(value)
        return (where, char) if char is not None else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{where}.{key}" if where else str(key)
            char = forbidden_character(str(key))
            if char is not None:
                return without_control_characters(here), char
            found = _in_json(item, here)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _in_json(item, f"{where}.{index}" if where else str(index))
            if found is not None:
                return found
    return None


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """whitenoise, with hashed static files (CompressedManifestStaticFilesStorage,
    collected by ``icihub setup``) cached for one year, the usual ceiling for
    ``max-age`` (whitenoise says ten years; nothing else differs)."""

    FOREVER = 365 * 24 * 60 * 60

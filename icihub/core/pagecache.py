"""Answers kept between identical reads: the response cache.

A GET that a signed-in user (or an anonymous visitor) repeats while nothing has
been written answers the same bytes; this module keeps the response of such a
read in Django's shared cache (the database's cache table, or Redis) and
answers the next identical read from it, without running the view.

**What makes two reads identical** (the key): the path and query string; the
user (from the session, or from the API token, authenticated again on every
request by the API's own ``TokenAuth``); the session (a page holds the
session's CSRF token); the page's language; the headers a view may answer
differently to (``Accept``, htmx's ``HX-*``); and today's date (a session's
state follows the calendar).

**When a kept answer is out of date** (the version): every committed write of
a model (save, delete, many-to-many; the audit trail's bulk writes through
``core.audit.bulk_recorded``) bumps one counter after its transaction
commits, and an answer is served only under the version it was computed at.
Every domain write is audited, so every domain write bumps it, whichever
server made it. A write the signals do not see (a raw SQL restore) is caught
by the expiry, ``ICIHUB_PAGE_CACHE_SECONDS`` (0 keeps nothing).

**What is never kept:** anything but a 200 to a GET; a page for a browser
without its CSRF cookie; a response that sets a
cookie or says ``no-store``; a read that wrote (an audited export, a
notification marked as read: the write must happen every time, and it bumps
the version anyway); a request with a message waiting to be shown; the
sign-in, admin, certificate-check, token and health paths (listed in
:data:`NEVER`); and everything inside a transaction (the tests, each a
transaction, always compute).

Hand-written: Django's cache middleware (``UpdateCacheMiddleware``) keys on
the URL and the ``Vary`` headers only, with no notion of "nothing was written
since" and no way to leave out a read that writes, and it would serve a page to
anyone who sends the same headers.
"""

from __future__ import annotations

import contextvars
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_migrate,
)
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

VERSION_KEY = "icihub-records-version"
VERSION_TIMEOUT = 366 * 24 * 3600
MAX_BYTES = 4 * 1024 * 1024
NEVER = (
    "/accounts/",
    "/admin/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/verify/",
    "/static/",
    "/i18n/",
    "/api/v1/tokens",
    "/api/v1/training/verify/",
)
# Writes that no page shows: the session's row (its idle expiry), the language a
# user's requests came in (for their e-mails) and the tasks queue's bookkeeping.
IGNORED_APPS = frozenset({"sessions", "django_tasks_database", "django_tasks_db", "migrations"})
IGNORED_MODELS = frozenset({"notifications.seenlanguage"})
VARY_HEADERS = ("Accept", "HX-Request", "HX-Target", "HX-Trigger", "HX-Trigger-Name", "HX-Boosted")

_wrote: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "icihub_pagecache_wrote", default=False
)


def seconds() -> int:
    return max(0, int(getattr(settings, "ICIHUB_PAGE_CACHE_SECONDS", 0)))


# -- the version --------------------------------------------------------------------------


def bump() -> None:
    hit = getattr(cache, "hit", None)
    if hit is not None:  # the database cache: one upsert-increment
        hit(VERSION_KEY, VERSION_TIMEOUT)
        return
    if not cache.add(VERSION_KEY, 1, timeout=VERSION_TIMEOUT):
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, 1, timeout=VERSION_TIMEOUT)


def current_version() -> int:
    counter = getattr(cache, "counter", None)
    if counter is not None:
        return counter(VERSION_KEY)
    return cache.get(VERSION_KEY) or 0


# True while ``migrate`` runs: its writes (the recorder's rows, data migrations)
# may come before the migration that creates the cache table; the version moves
# once when it ends (``_migrated``).
_migrating = False


def written() -> None:
    """A write: the request that made it is not kept, and the version moves once
    its transaction commits (at once outside one)."""
    _wrote.set(True)
    if _migrating:
        return
    if connection.in_atomic_block and any(entry[1] is bump for entry in connection.run_on_commit):
        return
    transaction.on_commit(bump)


def _is_record(model) -> bool:
    meta = getattr(model, "_meta", None)
    if meta is None:
        return True
    return meta.app_label not in IGNORED_APPS and meta.label_lower not in IGNORED_MODELS


def _on_write(sender, **kwargs):
    if _is_record(sender):
        written()


def _on_m2m(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        written()


def _migrate_starts(sender, **kwargs):
    global _migrating
    _migrating = True


def _migrated(sender, **kwargs):
    """After ``migrate``: ``post_migrate`` is sent once per app, in the order of
    ``INSTALLED_APPS``, and the writes its receivers make (content types,
    permissions) are part of the migration; the last app's signal ends it. The
    cache table may still be missing when only part of the schema was migrated:
    nothing is kept then either, so there is nothing to move."""
    global _migrating
    from django.apps import apps

    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    if not _migrating or sender is not last:
        return
    _migrating = False
    try:
        with transaction.atomic(using=kwargs.get("using")):
            bump()
    except DatabaseError:
        pass


def connect() -> None:
    from . import audit

    pre_migrate.connect(_migrate_starts, dispatch_uid="icihub_pagecache_pre_migrate")
    post_migrate.connect(_migrated, dispatch_uid="icihub_pagecache_post_migrate")

    post_save.connect(_on_write, dispatch_uid="icihub_pagecache_save")
    post_delete.connect(_on_write, dispatch_uid="icihub_pagecache_delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="icihub_pagecache_m2m")
    audit.bulk_recorded.connect(_on_write, dispatch_uid="icihub_pagecache_bulk")


# -- the middleware -----------------------------------------------------------------------


def _reader(request):
    """Who reads: the session's user, or for the API the token's (``None``: a
    token that does not authenticate; the view answers it)."""
    if request.path_info.startswith("/api/") and request.headers.get("Authorization"):
        from .apikit import TokenAuth

        user = TokenAuth()(request)
        return user if user is not None and user.is_authenticated else None
    return request.user


def _key(request, user) -> str:
    parts = [
        request.get_full_path(),
        f"u{user.pk}" if user.is_authenticated else "anonymous",
        (request.session.session_key or "") if hasattr(request, "session") else "",
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        request.headers.get("Authorization", ""),
        get_language() or "",
        timezone.localdate().isoformat(),
    ] + [request.headers.get(h, "") for h in VARY_HEADERS]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"icihub-page:{digest}"


def _has_message_waiting(request) -> bool:
    if request.COOKIES.get("messages"):
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.get("_messages"))


def _eligible(request) -> bool:
    return (
        request.method == "GET"
        # A page holds a CSRF token made from the browser's CSRF cookie: a
        # browser without one is sent a new one by the page it gets, never a
        # kept page whose token it could not use.
        and (request.path_info.startswith("/api/") or settings.CSRF_COOKIE_NAME in request.COOKIES)
        and seconds() > 0
        and not connection.in_atomic_block
        and not request.path_info.startswith(NEVER)
        and not _has_message_waiting(request)
    )


def _keepable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "no-store" not in response.get("Cache-Control", "")
        and len(response.content) <= MAX_BYTES
    )


class PageCacheMiddleware:
    """Answers a read from :mod:`core.pagecache` when nothing was written since
    the same user last made it; keeps what the view answered otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _eligible(request):
            return self.get_response(request)
        user = _reader(request)
        if user is None:
            return self.get_response(request)
        key = _key(request, user)
        version = current_version()
        entry = cache.get(key)
        if entry and entry[0] == version:
            _version, status, headers, content = entry
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Icihub-Cache"] = "hit"
            return response
        token = _wrote.set(False)
        try:
            response = self.get_response(request)
            wrote = _wrote.get()
        finally:
            _wrote.reset(token)
        if not wrote and _keepable(response):
            headers = [(k, v) for k, v in response.items() if k.lower() != "content-length"]
            cache.set(key, (version, response.status_code, headers, response.content), seconds())
        return response

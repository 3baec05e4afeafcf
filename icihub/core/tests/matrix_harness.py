"""The machinery of the access matrix (``test_access_matrix.py`` holds the
tables): the routes and operations of the site, the rules a table entry names,
the expected answer of each (role, row), the requests, the leak check and the
database fingerprint that proves a refused write changed nothing.

Vocabulary
----------
* a *role* is one of ``matrix_data.ROLES`` ("anon" is the visitor who has not
  signed in);
* a *target* is the key of a row of the world (``matrix_data.build_world``)
  that a URL is tried with; ``SEES[target]`` says who may see it;
* an *expectation* is what one request must answer: ``OK`` (200 for a read;
  for a write: not refused, i.e. anything but a sign-in redirect, 401, 403,
  404 or a server error), ``LOGIN`` (the UI sends the visitor to the sign-in
  page; the API answers 401), ``FORBIDDEN`` (403), ``NOT_FOUND`` (404) or
  ``NOT_ALLOWED`` (405: the URL takes POST only).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from .matrix_data import MARKERS, ROLES

OK = "ok"
LOGIN = "login"
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405

SIGNED = frozenset(ROLES) - {"anon"}
STAFF = frozenset({"admin", "nato", "centre"})
NATO = frozenset({"admin", "nato"})
COORDINATORS = frozenset({"coord_kwt", "coord_qat"})
EVERYONE = frozenset(ROLES)


# -- rules -------------------------------------------------------------------------------------
#
# A rule answers, for one role and one target (None for a URL without a row),
# what the request must answer. ``sees(role, target)`` comes from the table.


@dataclass(frozen=True)
class Rule:
    """``expect(role, target, sees, writers)`` -> expectation; ``name`` is what
    the failure messages and the documentation call it."""

    name: str
    expect: Callable = field(compare=False)

    def __repr__(self) -> str:
        return self.name


def _visible(role, target, sees) -> bool:
    return target is None or sees(role, target)


def PUBLIC() -> Rule:
    """Anyone, signed in or not; a row the role may not see answers 404."""
    return Rule(
        "PUBLIC", lambda role, target, sees, w: OK if _visible(role, target, sees) else NOT_FOUND
    )


def SIGNED_IN() -> Rule:
    """Signed-in users (the visitor is sent to sign in); a row they may not
    see answers 404."""

    def expect(role, target, sees, w):
        if role == "anon":
            return LOGIN
        return OK if _visible(role, target, sees) else NOT_FOUND

    return Rule("SIGNED_IN", expect)


def ONLY(roles: Iterable[str], *, name: str = "", check_role_first: bool = True) -> Rule:
    """Only these roles; the others get 403 (before the row is looked up when
    ``check_role_first``: a refusal by role reveals nothing about the row);
    a row the role may not see answers 404."""
    roles = frozenset(roles)

    def expect(role, target, sees, w):
        if role == "anon":
            return LOGIN
        if check_role_first and role not in roles:
            return FORBIDDEN
        if not _visible(role, target, sees):
            return NOT_FOUND
        return OK if role in roles else FORBIDDEN

    return Rule(name or f"ONLY({','.join(sorted(roles))})", expect)


def WRITE(*writers: str, gate: Iterable[str] | None = None, name: str = "") -> Rule:
    """A write (or a form that writes): the visitor signs in first; a row the
    role may not see answers 404; a row it sees but may not change answers
    403. ``writers`` are roles, or ``coord`` (the coordinator of the row's
    country) and ``owner`` (the participant or instructor the row is about).
    ``gate``: roles refused with 403 before the row is looked up."""
    gate_roles = frozenset(gate) if gate is not None else None
    flat: list[str] = []
    for w in writers:
        flat.extend(sorted(w) if isinstance(w, set | frozenset) else [w])
    writers = tuple(flat)

    def expect(role, target, sees, resolve_writers):
        if role == "anon":
            return LOGIN
        if gate_roles is not None and role not in gate_roles:
            return FORBIDDEN
        if not _visible(role, target, sees):
            return NOT_FOUND
        return OK if role in resolve_writers(writers, target) else FORBIDDEN

    label = ",".join(writers)
    if gate_roles is not None:
        label += f"; others 403 first: {','.join(sorted(gate_roles))}"
    return Rule(name or f"WRITE({label})", expect)


def POST_ONLY() -> Rule:
    """The URL takes POST only: a GET answers 405 (the visitor signs in first)."""
    return Rule("POST_ONLY", lambda role, target, sees, w: LOGIN if role == "anon" else NOT_ALLOWED)


def ADMIN_ONLY(*, read_only: bool = False) -> Rule:
    """Django's admin: administrators only; everyone else is sent to icihub's
    sign-in page. ``read_only``: administrators get 403 too (the audit trail
    cannot be added to or deleted from)."""

    def expect(role, target, sees, w):
        if role != "admin":
            return LOGIN
        return FORBIDDEN if read_only else OK

    return Rule("ADMIN_ONLY" + ("(read-only: 403)" if read_only else ""), expect)


def CUSTOM(name: str, table: dict[str, object]) -> Rule:
    """An explicit answer per role (for the few pages whose rule is their own)."""
    missing = set(ROLES) - set(table)
    assert not missing, f"{name}: no answer for {missing}"
    return Rule(name, lambda role, target, sees, w: table[role])


# -- table entries --------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One URL pattern of the site. ``get``: the rule of a GET; ``post``: the
    rule of a POST (None: the page writes nothing and POST is not tried);
    ``targets``: rows the URL is tried with; ``kwargs(world, target)``: the
    URL's arguments (default: from the target, see ``url_kwargs``);
    ``shows``: rows a list must show to every role that may see them;
    ``data``: the POST body; ``query``: a query string."""

    get: Rule | None
    post: Rule | None = None
    targets: tuple = (None,)
    kwargs: Callable | dict | None = None
    shows: tuple = ()
    data: dict | Callable | None = None
    query: dict | None = None
    files: Callable | None = None
    note: str = ""


@dataclass(frozen=True)
class Op:
    """One operation of the API (path + method). ``rule`` as for pages (the
    sign-in redirect becomes 401); ``path(world, target)``: the path
    parameters; ``body``: the JSON body (default: the smallest body the
    schema accepts); ``params``: the query."""

    rule: Rule
    targets: tuple = (None,)
    path: Callable | dict | None = None
    body: dict | Callable | None = None
    params: dict | None = None
    shows: tuple = ()
    files: dict | None = None  # name -> (file name, bytes): a multipart body instead of JSON
    note: str = ""


def both(kind: str) -> tuple[str, str]:
    """The Kuwaiti and the Qatari row of a kind: ``both("programme")``."""
    return (f"{kind}_kwt", f"{kind}_qat")


# -- the routes of the site -----------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the URL name ("training:session_detail"), or the pattern when unnamed
    pattern: str
    name: str | None
    callback: object


def site_routes() -> list[Route]:
    """Every URL pattern of the site, the admin's and the root-level ones
    included; the API's are the OpenAPI document's operations (only its
    documentation pages are routes here)."""
    out: list[Route] = []

    def walk(resolver, prefix: str, namespace: str | None):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                pattern = prefix + str(p.pattern)
                name = f"{namespace}:{p.name}" if (namespace and p.name) else p.name
                out.append(Route(name or pattern, pattern, name, p.callback))

    walk(get_resolver(), "", None)
    return out


# -- URL arguments ------------------------------------------------------------------------------

_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>|\(\?P<(?P<rx>[^>]+)>")


def pattern_params(pattern: str) -> list[str]:
    return [m.group("name") or m.group("rx") for m in _PARAM.finditer(pattern)]


def default_kwargs(pattern: str, obj) -> dict:
    """URL arguments from a row: ``pk``, ``code``, ``iso3``, ``slug``, ``key``
    and ``label`` by their usual attribute."""
    out = {}
    for name in pattern_params(pattern):
        if name in ("pk", "course_pk", "object_id"):
            out[name] = obj.pk
        elif name == "label":
            out[name] = obj._meta.label_lower
        elif name == "kind":
            out[name] = obj._meta.model_name
        else:
            out[name] = getattr(obj, name)
    return out


def build_url(pattern: str, kwargs: dict) -> str:
    """The path of ``pattern`` with ``kwargs`` (also for unnamed and regex patterns)."""

    def sub(m):
        name = m.group("name") or m.group("rx")
        return str(kwargs[name])

    path = pattern
    # regex patterns: (?P<name>...) groups and anchors
    path = re.sub(r"\(\?P<([^>]+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), path)
    path = _PARAM.sub(sub, path)
    path = path.replace("^", "").replace("$", "")
    return "/" + path


# -- requests -------------------------------------------------------------------------------------


class Clients:
    """Signed-in test clients per role, sharing the sessions made once for the
    module (a fresh client per request: a sign-out in one test does not sign
    the next one out). Staff sessions have passed the second factor."""

    def __init__(self, world):
        from icihub.testing import client_for

        self.cookies = {}
        for role, user in world.users.items():
            client = client_for(user)
            self.cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.tokens = world.tokens

    def ui(self, role: str) -> Client:
        client = Client()
        if role != "anon":
            client.cookies[settings.SESSION_COOKIE_NAME] = self.cookies[role]
        return client

    def api(self, role: str, method: str, path: str, *, body=None, params=None, files=None):
        client = Client()
        headers = {}
        if role != "anon":
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        method = method.lower()
        if files:
            from django.core.files.uploadedfile import SimpleUploadedFile

            data = {k: SimpleUploadedFile(name, content) for k, (name, content) in files.items()}
            return client.post(path, data, headers=headers)
        if method in ("get", "delete"):
            return getattr(client, method)(path, params or {}, headers=headers)
        return getattr(client, method)(
            path + (("?" + _qs(params)) if params else ""),
            data=json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=headers,
        )


def _qs(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(params, doseq=True)


def body_of(response) -> str:
    """The text of a response, for the leak check: pages, JSON, CSV, iCalendar;
    an XLSX or ZIP is opened and its XML read; a PDF is not read (its text is
    compressed)."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    if raw[:2] == b"PK":
        texts = []
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                for info in archive.infolist():
                    if info.filename.endswith((".xml", ".csv", ".txt", ".json", ".ics")):
                        texts.append(archive.read(info).decode("utf-8", "replace"))
        except zipfile.BadZipFile:
            pass
        return "\n".join(texts)
    if raw[:5] == b"%PDF-":
        return ""
    return raw.decode("utf-8", "replace")


def outcome(response, *, api: bool) -> object:
    """What a response is, in the expectations' vocabulary (or its status)."""
    status = response.status_code
    if not api and status in (301, 302):
        location = response.get("Location", "")
        if location.startswith(("/accounts/login/", "/admin/login/")):
            return LOGIN
        if location.startswith(("/accounts/two-factor/", "/accounts/login/code/")):
            return "2fa-redirect"
    if api and status == 401:
        return LOGIN
    return status


def matches(expected, response, *, api: bool, method: str) -> bool:
    got = outcome(response, api=api)
    status = response.status_code
    if expected == OK:
        if status >= 500:
            return False
        if method == "GET":
            return status == 200
        return got not in (LOGIN, "2fa-redirect", 401, 403, 404, 405)
    return got == expected


def leaks(text: str, role: str, sees, *, ignore: Iterable[str] = ()) -> list[str]:
    """The rows whose marker is in ``text`` although ``role`` may not see them."""
    ignore = set(ignore)
    return [
        key
        for key, word in MARKERS.items()
        if key not in ignore and word in text and not sees(role, key)
    ]


# -- "changed nothing" ------------------------------------------------------------------------------

# Columns that change on a read or a refused request by design: the session
# store, sign-in bookkeeping, a token's last use, the language of a user's
# last request (the default language of their e-mails).
FINGERPRINT_SKIP_TABLES = {"django_session", "notifications_seenlanguage"}
FINGERPRINT_SKIP_COLUMNS = {("core_apitoken", "last_used_at"), ("core_user", "last_login")}


def _fingerprint_models():
    labels = {"auth", "contenttypes", *[a.rsplit(".", 1)[-1] for a in settings.ICIHUB_APPS]}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in labels and model._meta.db_table not in FINGERPRINT_SKIP_TABLES:
            yield model


def fingerprint() -> dict[str, str]:
    """A digest of every row of every table of the apps (and auth), per table."""
    out = {}
    with connection.cursor() as cursor:
        for model in _fingerprint_models():
            table = model._meta.db_table
            # the columns of this table: a child of multi-table inheritance
            # (training's Course of menu's Activity) holds only its own fields
            # (SQLite would read an unknown "quoted" column as a string literal)
            columns = [
                f.column
                for f in model._meta.local_concrete_fields
                if (table, f.column) not in FINGERPRINT_SKIP_COLUMNS
            ]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            pk = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)} ORDER BY {pk}")
            digest = hashlib.sha256()
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
            out[table] = digest.hexdigest()
    return out


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in before if before[t] != after.get(t))


class rolled_back:
    """A savepoint rolled back on leaving: what happens inside is undone."""

    def __enter__(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        return self

    def __exit__(self, *exc):
        transaction.set_rollback(True)
        self.atomic.__exit__(*exc)
        return False


# -- the API: the document, once --------------------------------------------------------------

_DOCUMENT: dict | None = None


def cached_document() -> dict:
    """The OpenAPI document, built once per process (building it takes seconds)."""
    global _DOCUMENT
    if _DOCUMENT is None:
        from icihub.api import api

        _DOCUMENT = api.get_openapi_schema()
    return _DOCUMENT


def cached_operations() -> dict[str, tuple[str, str, dict]]:
    """operationId -> (METHOD, path, operation) from the OpenAPI document."""
    out = {}
    for path, methods in cached_document()["paths"].items():
        for method, operation in methods.items():
            out[operation["operationId"]] = (method.upper(), path, operation)
    return out


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        choices = [s for s in schema["anyOf"] if s.get("type") != "null"]
        schema = _resolve(document, choices[0]) if choices else {"type": "null"}
    if "allOf" in schema and len(schema["allOf"]) == 1:
        schema = _resolve(document, schema["allOf"][0])
    return schema


def example_of(document: dict, schema: dict, name: str = ""):
    """The smallest value ``schema`` accepts: required fields only, the first
    choice of an enumeration, a date for a date (so that a write reaches the
    view's access check instead of failing the body's validation)."""
    schema = _resolve(document, schema)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {key: example_of(document, props[key], key) for key in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2030-01-15"
    if schema.get("format") == "date-time":
        return "2030-01-15T09:00:00Z"
    return f"matrix-{name or 'value'}"[: schema.get("maxLength", 100)]


def default_body(operation: dict):
    body = operation.get("requestBody")
    if not body:
        return None
    content = body.get("content", {})
    media = next(iter(content), None)
    if media is None:
        return None
    return example_of(cached_document(), content[media].get("schema", {}))


def api_path(path: str, values: dict) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: str(values[m.group(1)]), path)


def default_path_values(path: str, obj) -> dict:
    """Path parameters from a row: ``pk`` and ``*_id`` are its key; ``code``,
    ``slug``, ``key``, ``iso3`` its attribute of that name."""
    out = {}
    for name in re.findall(r"\{([^}]+)\}", path):
        if name == "pk" or name.endswith("_id"):
            out[name] = obj.pk
        else:
            out[name] = getattr(obj, name)
    return out

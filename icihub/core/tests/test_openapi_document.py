"""The OpenAPI document tells the truth (issue 15, defect 6): every
enumeration under a name of its own, every enumerated field documenting the
values the API really accepts, every integer's range declared.

The checks read the document as a client would (``/api/v1/openapi.json``) and
call the API with what it documents: they do not consult the schemas' Python
classes, so a field pointing at the wrong enumeration shows as a documented
value refused, or an undocumented one accepted."""

from __future__ import annotations

import enum
import json

import pytest
from django.test.client import encode_multipart

from icihub.testing import ApiClient

from .api_types import reachable_types

MISSING_ID = "999999999"
UNDOCUMENTED = "not-a-documented-value"


@pytest.fixture(scope="module")
def document():
    from icihub.api import api

    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1"), default=str))


def _resolve(document, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _variants(document, schema: dict):
    """The alternatives of a schema (anyOf/allOf/oneOf), resolved."""
    schema = _resolve(document, schema)
    parts = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if parts:
        for part in parts:
            yield from _variants(document, part)
    else:
        yield schema


def _enum_of(document, schema: dict) -> tuple[list, bool] | None:
    """(documented values, as a list?) when the schema is an enumeration or a
    list of one."""
    for variant in _variants(document, schema):
        if "enum" in variant:
            return variant["enum"], False
        if variant.get("type") == "array" and "items" in variant:
            for item in _variants(document, variant["items"]):
                if "enum" in item:
                    return item["enum"], True
    return None


def _operations(document):
    for path, item in document["paths"].items():
        for method, op in item.items():
            yield path, method, op


def _body_schema(document, op) -> dict | None:
    content = op.get("requestBody", {}).get("content", {})
    media = content.get("application/json")
    return _resolve(document, media["schema"]) if media else None


def enumerated_fields(document):
    """(method, path, where, name, values, is_list, default) of every
    enumerated query parameter and top-level body field."""
    for path, method, op in _operations(document):
        for param in op.get("parameters", []):
            found = _enum_of(document, param.get("schema", {}))
            if found and param["in"] == "query":
                default = param.get("schema", {}).get("default")
                yield method, path, "query", param["name"], found[0], found[1], default
        body = _body_schema(document, op)
        if body:
            for name, prop in body.get("properties", {}).items():
                found = _enum_of(document, prop)
                if found:
                    yield method, path, "body", name, found[0], found[1], prop.get("default")


def _call(api: ApiClient, method: str, path: str, where: str, name: str, value):
    url = "/".join(MISSING_ID if part.startswith("{") else part for part in path.split("/"))
    if where == "query":
        if method != "get":
            return getattr(api.client, method)(url + "?" + _query(name, value), headers=api.headers)
        return api.client.get(url, {name: value}, headers=api.headers)
    return getattr(api, method)(url, {name: value})


def _query(name, value) -> str:
    from urllib.parse import urlencode

    return urlencode({name: value}, doseq=True)


def _fields_refused(response) -> set[str]:
    if response.status_code != 422:
        return set()
    return {error["field"] for error in response.json()["errors"]}


# -- the document -----------------------------------------------------------------------------


def _enum_names_in_schemas():
    """Every enumeration reachable from the API's schemas: the name the
    document gives it -> the classes documented under that name."""
    from typing_extensions import TypeAliasType

    names: dict[str, set] = {}
    for tp in reachable_types():
        if isinstance(tp, TypeAliasType):
            names.setdefault(tp.__name__, set()).add(tp.__value__)
        elif isinstance(tp, type) and issubclass(tp, enum.Enum):
            names.setdefault(tp.__name__, set()).add(tp)
    return names


def test_every_enumeration_has_a_name_of_its_own():
    """Session.State, FollowUpAction.State and programmes' State were all
    "State" in the document, and every field pointed at the last one merged."""
    names = _enum_names_in_schemas()
    assert {"SessionState", "ActionState", "CourseLevel", "EventLevel", "UserRole"} <= set(names)
    shared = {name: sorted(c.__qualname__ for c in cls) for name, cls in names.items()}
    assert not {name: q for name, q in shared.items() if len(q) > 1}


def test_the_enumerations_document_the_models_values(document):
    """The fields of the issue, against the models' own choices."""
    from icihub.core.access import Role
    from icihub.core.models import Source
    from icihub.training.models import Course, Session

    def values(component):
        return document["components"]["schemas"][component]["enum"]

    body = _body_schema(document, document["paths"]["/api/v1/training/sessions/{pk}/state"]["post"])
    assert _enum_of(document, body["properties"]["state"])[0] == Session.State.values
    course_in = document["components"]["schemas"]["CourseIn"]["properties"]
    assert _enum_of(document, course_in["level"])[0] == Course.Level.values
    user_in = document["components"]["schemas"]["UserIn"]["properties"]
    assert _enum_of(document, user_in["role"])[0] == Role.values
    source_in = document["components"]["schemas"]["SourceIn"]["properties"]
    assert _enum_of(document, source_in["kind"])[0] == Source.Kind.values
    assert values("SourceKind") == Source.Kind.values


def test_every_enumerated_default_is_one_of_its_values(document):
    fields = list(enumerated_fields(document))
    assert len(fields) > 40, len(fields)
    wrong = [
        f"{method.upper()} {path} {name}: {default!r} not in {values}"
        for method, path, _where, name, values, is_list, default in fields
        if default is not None
        and not (set(default) <= set(values) if is_list else default in values)
    ]
    assert not wrong, "\n".join(wrong)


def _integers(document, schema: dict, where: str, seen: set):
    for variant in _variants(document, schema):
        kind = variant.get("type")
        if kind == "integer" and "enum" not in variant:
            yield where, variant
        elif kind == "array" and "items" in variant:
            yield from _integers(document, variant["items"], where + "[]", seen)
        elif kind == "object":
            key = id(variant)
            if key in seen:
                continue
            seen.add(key)
            for name, prop in variant.get("properties", {}).items():
                yield from _integers(document, prop, f"{where}.{name}", seen)
            extra = variant.get("additionalProperties")
            if isinstance(extra, dict):
                yield from _integers(document, extra, where + "{}", seen)


def test_every_integer_a_client_sends_declares_its_range(document):
    """A priority of 2**63 and a course id of 2**63 were 500s: the database's
    integers end there. Every integer of a parameter or a request body states
    its minimum and maximum, and the API enforces them (the fuzzing sends
    values beyond)."""
    open_ended = []
    count = 0
    for path, method, op in _operations(document):
        label = f"{method.upper()} {path}"
        for param in op.get("parameters", []):
            for where, schema in _integers(document, param.get("schema", {}), param["name"], set()):
                count += 1
                if "minimum" not in schema or "maximum" not in schema:
                    open_ended.append(f"{label} {where}")
        body = _body_schema(document, op)
        if body:
            for where, schema in _integers(document, body, "body", set()):
                count += 1
                if "minimum" not in schema or "maximum" not in schema:
                    open_ended.append(f"{label} {where}")
    assert count > 50, count
    assert not open_ended, "\n".join(open_ended)


# -- the API accepts what the document lists, and only that ------------------------------------


@pytest.mark.django_db
def test_each_documented_value_is_accepted_and_no_other(document, administrator):
    """For every enumerated field of every operation: each documented value is
    not refused as invalid for that field (the answer may be a 404 for the
    missing row, a 409 for a transition, or a 422 about other fields); an
    undocumented value is a 422 naming the field."""
    api = ApiClient(administrator)
    fields = list(enumerated_fields(document))
    assert any(path.endswith("/training/sessions/{pk}/state") for _m, path, *_ in fields)
    wrong = []
    for method, path, where, name, values, is_list, _default in fields:
        label = f"{method.upper()} {path} {where}:{name}"
        for value in values:
            sent = [value] if is_list else value
            response = _call(api, method, path, where, name, sent)
            if response.status_code >= 500 or name in _fields_refused(response):
                wrong.append(f"{label} = {value!r}: refused ({response.status_code})")
        sent = [UNDOCUMENTED] if is_list else UNDOCUMENTED
        response = _call(api, method, path, where, name, sent)
        refused = _fields_refused(response)
        if not any(field == name or field.startswith(name + ".") for field in refused):
            wrong.append(
                f"{label} = {UNDOCUMENTED!r}: {response.status_code} {response.content[:200]!r}"
            )
    assert not wrong, "\n".join(wrong)


# -- bad input on every operation (issue 15, defect 9) ----------------------------------------


def _json_operations(document):
    for path, method, op in _operations(document):
        body = _body_schema(document, op)
        if body is not None:
            url = "/".join(MISSING_ID if part.startswith("{") else part for part in path.split("/"))
            yield f"{method.upper()} {path}", method, url, body


def _string_fields(document, body: dict) -> list[str]:
    names = []
    for name, prop in body.get("properties", {}).items():
        if any(v.get("type") == "string" and "enum" not in v for v in _variants(document, prop)):
            names.append(name)
    return names


@pytest.mark.django_db
def test_every_json_operation_refuses_other_bodies_with_a_415(document, administrator):
    """A multipart body (a 500 on POST /training/participants) or JSON sent as
    text/plain (accepted): a 415 with the API's error body, documented."""
    api = ApiClient(administrator)
    operations = list(_json_operations(document))
    assert len(operations) > 60, len(operations)
    wrong = []
    for label, method, url, _body in operations:
        if "415" not in {str(code) for code in _op(document, label)["responses"]}:
            wrong.append(f"{label}: 415 not documented")
        send = getattr(api.client, method)
        for data, content_type in (
            (encode_multipart("BoUnDaRy", {"x": "1"}), "multipart/form-data; boundary=BoUnDaRy"),
            ('{"x": 1}', "text/plain"),
        ):
            kwargs = {"content_type": content_type}
            response = send(url, data, headers=api.headers, **kwargs)
            if response.status_code != 415 or response.json().get("code") != (
                "unsupported_media_type"
            ):
                wrong.append(f"{label} ({content_type}): {response.status_code}")
    assert not wrong, "\n".join(wrong)


def _op(document, label: str) -> dict:
    method, path = label.split(" ", 1)
    return document["paths"][path][method.lower()]


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["a\x07b", "\ud800", "esc\x1b"])
def test_every_text_field_refuses_control_characters(document, administrator, text):
    api = ApiClient(administrator)
    wrong, count = [], 0
    for label, method, url, body in _json_operations(document):
        for name in _string_fields(document, body):
            count += 1
            response = getattr(api, method)(url, {name: text})
            if response.status_code != 422 or name not in _fields_refused(response):
                wrong.append(f"{label} {name}: {response.status_code}")
    assert count > 150, count
    assert not wrong, "\n".join(wrong)


def test_the_document_is_built_once_per_process(client, monkeypatch):
    """The API documentation page fetches /api/v1/openapi.json on every visit:
    the second request serves the document built for the first."""
    import ninja.main

    from icihub.api import api

    built = []
    original = ninja.main.get_schema

    def counting(**kwargs):
        built.append(kwargs["path_prefix"])
        return original(**kwargs)

    monkeypatch.setattr(ninja.main, "get_schema", counting)
    monkeypatch.setattr(api, "_openapi_schemas", {})
    first = client.get("/api/v1/openapi.json")
    second = client.get("/api/v1/openapi.json")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert "/api/v1/me" in first.json()["paths"]
    assert built == ["/api/v1/"]

"""The API's JSON is written by orjson (``apikit.OrjsonRenderer``, issue 11) and
reads exactly as ninja's own renderer's (``json.dumps`` with
``NinjaJSONEncoder``): the same values, and datetimes in the same text
(milliseconds, ``Z`` for UTC). Checked on representative values and on the
whole answers of every list of the API and of a record of each, in the small
world of the access matrix, as staff and as a coordinator."""

from __future__ import annotations

import datetime as dt
import decimal
import ipaddress
import json
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import models
from django.utils.translation import gettext_lazy
from ninja import Schema
from ninja.renderers import JSONRenderer

from icihub.core.apikit import OrjsonRenderer, render_json

from .matrix_data import build_world


class Colour(models.TextChoices):
    RED = "red", gettext_lazy("Red")


class Level(models.IntegerChoices):
    ONE = 1, gettext_lazy("One")


class Point(Schema):
    x: int
    at: dt.datetime


UTC = dt.UTC
KUWAIT = ZoneInfo("Asia/Kuwait")

VALUES = {
    "aware_utc_micro": dt.datetime(2026, 12, 5, 8, 30, 1, 123456, tzinfo=UTC),
    "aware_utc_whole": dt.datetime(2026, 12, 5, 8, 30, 1, tzinfo=UTC),
    "aware_utc_ms": dt.datetime(2026, 12, 5, 8, 30, 1, 5000, tzinfo=UTC),
    "aware_kuwait": dt.datetime(2026, 12, 5, 8, 30, 1, 999999, tzinfo=KUWAIT),
    "naive": dt.datetime(2007, 1, 1, 0, 0, 0, 1),
    "date": dt.date(2026, 2, 28),
    "time": dt.time(9, 5, 7, 654321),
    "time_whole": dt.time(23, 59),
    "duration": dt.timedelta(days=2, hours=3, microseconds=5),
    "decimal": decimal.Decimal("12.50"),
    "decimal_big": decimal.Decimal("123456789012345678901234567890.000001"),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": gettext_lazy("Not found."),
    "text_choice": Colour.RED,
    "int_choice": Level.ONE,
    "arabic": "الكويت — دولة الكويت",
    "escapes": 'quote " backslash \\ newline \n tab \t nul \x00 </script>',
    "float": 0.1 + 0.2,
    "float_big": 1e300,
    "negative_zero": -0.0,
    "bool": True,
    "none": None,
    "int64": 2**63 - 1,
    "int_beyond_64_bits": 2**70,
    "lone_surrogate": "a\ud800b",
    "tuple": (1, "two", dt.date(2026, 1, 1)),
    "int_keys": {1: "one", 2: [dt.date(2026, 1, 2)]},
    "other_keys": {None: 1, 1.5: 2, False: 3},
    "model": Point(x=1, at=dt.datetime(2026, 1, 1, 12, 0, 0, 250000, tzinfo=UTC)),
    "address": ipaddress.ip_address("192.0.2.1"),
    "network": ipaddress.ip_network("2001:db8::/32"),
    "nested": [{"a": [{"b": dt.datetime(2026, 6, 1, tzinfo=UTC)}]}],
}

DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def _ninja(data) -> bytes:
    return JSONRenderer().render(None, data, response_status=200).encode()


def _ours(data) -> bytes:
    return OrjsonRenderer().render(None, data, response_status=200)


def _strings(value, out: list) -> list:
    if isinstance(value, dict):
        for item in value.values():
            _strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _strings(item, out)
    elif isinstance(value, str):
        out.append(value)
    return out


def assert_same(ours: bytes, theirs: bytes) -> None:
    parsed_ours, parsed_theirs = json.loads(ours), json.loads(theirs)
    assert parsed_ours == parsed_theirs
    # the datetimes' text, one by one (implied by the equality; said for the reader)
    ours_dt = [s for s in _strings(parsed_ours, []) if DATETIME.match(s)]
    theirs_dt = [s for s in _strings(parsed_theirs, []) if DATETIME.match(s)]
    assert ours_dt == theirs_dt


@pytest.mark.parametrize("name", sorted(VALUES))
def test_each_value_reads_as_ninjas(name):
    data = {"value": VALUES[name], "list": [VALUES[name]]}
    assert_same(_ours(data), _ninja(data))


def test_all_values_together_and_the_datetime_text():
    assert_same(_ours(VALUES), _ninja(VALUES))
    parsed = json.loads(_ours(VALUES))
    assert parsed["aware_utc_micro"] == "2026-12-05T08:30:01.123Z"
    assert parsed["aware_utc_whole"] == "2026-12-05T08:30:01Z"
    assert parsed["aware_kuwait"] == "2026-12-05T08:30:01.999+03:00"
    assert parsed["time"] == "09:05:07.654"
    assert parsed["lazy"] == "Not found."
    assert parsed["arabic"] == "الكويت — دولة الكويت"


def test_orjson_writes_what_it_can_and_falls_back_where_it_cannot():
    # the common case is orjson's compact UTF-8, not json.dumps' spaced ASCII
    assert render_json({"a": "ك", "b": [1]}) == '{"a":"ك","b":[1]}'.encode()
    # beyond orjson: ninja's renderer writes it
    assert render_json({"n": 2**70}) == _ninja({"n": 2**70})
    deep: list = []
    for _ in range(300):
        deep = [deep]
    assert json.loads(render_json(deep)) == json.loads(_ninja(deep))


@pytest.mark.parametrize("value", [{1, 2}, object(), b"bytes"])
def test_what_ninja_refuses_is_refused(value):
    with pytest.raises(TypeError):
        _ninja({"v": value})
    with pytest.raises(TypeError):
        _ours({"v": value})


# -- whole answers ---------------------------------------------------------------------


def _get_paths() -> list[str]:
    from icihub.api import api

    document = api.get_openapi_schema(path_prefix="/api/v1")
    return [path for path, ops in document["paths"].items() if "get" in ops]


def _fill(path: str, parent: dict | None) -> str | None:
    """``path`` with its one parameter taken from a row of its list, if it has one."""
    params = re.findall(r"{(\w+)}", path)
    if not params:
        return path
    if len(params) > 1 or parent is None:
        return None
    param = params[0]
    keys = {"key": ("key",), "code": ("code", "iso3"), "slug": ("slug",), "iso3": ("iso3",)}
    for key in keys.get(param, ("id",)):
        if key in parent:
            return path.replace("{" + param + "}", str(parent[key]))
    return None


class BothRenderers:
    """Stands for ``apikit.render_json`` (the renderer's and ``@serve_prebuilt``'s):
    answers with orjson and keeps what ninja's renderer writes of the same data:
    one request, one data, two texts (a second request would see another audit
    trail)."""

    def __init__(self):
        self.pairs: list[tuple[bytes, bytes]] = []

    def __call__(self, data):
        ours = render_json(data)
        self.pairs.append((ours, _ninja(data)))
        return ours


def _visit(client, headers, renderer: BothRenderers) -> dict[str, tuple[bytes, bytes]]:
    """Every list of the API, and a record of each where its list gives the id:
    {url: (orjson's text, ninja's text)}."""
    answers: dict[str, tuple[bytes, bytes]] = {}
    firsts: dict[str, dict] = {}
    for path in _get_paths():
        url = _fill(path, firsts.get(path.rsplit("/", 1)[0]))
        if url is None:
            continue
        renderer.pairs.clear()
        response = client.get(url, headers=headers)
        if not response.get("Content-Type", "").startswith("application/json"):
            continue
        assert len(renderer.pairs) == 1, url
        assert renderer.pairs[0][0] == response.content
        answers[url] = renderer.pairs[0]
        body = json.loads(response.content)
        items = body.get("items") if isinstance(body, dict) else None
        if items and isinstance(items[0], dict):
            firsts[path] = items[0]
    return answers


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["nato", "coord_kwt"])
def test_every_list_and_record_reads_as_with_ninjas_renderer(role, settings, monkeypatch):
    from django.test import Client

    from icihub.core import apikit

    settings.ICIHUB_API_RATE_TOKEN = 0
    settings.ICIHUB_API_RATE_ANON = 0
    world = build_world()
    renderer = BothRenderers()
    monkeypatch.setattr(apikit, "render_json", renderer)
    answers = _visit(Client(), {"Authorization": f"Bearer {world.tokens[role]}"}, renderer)
    assert len(answers) > 60  # the lists and a record of each
    assert "/api/v1/training/sessions" in answers
    assert any(url.startswith("/api/v1/training/sessions/") for url in answers)
    datetimes = 0
    for url, (ours, theirs) in answers.items():
        assert json.loads(ours) == json.loads(theirs), url
        assert_same(ours, theirs)
        datetimes += sum(1 for s in _strings(json.loads(ours), []) if DATETIME.match(s))
    assert datetimes > 20


@pytest.mark.django_db
def test_errors_are_written_by_orjson_too():
    from django.test import Client

    response = Client().get("/api/v1/training/sessions/999999999")
    assert response.status_code == 404
    assert response.content == b'{"detail":"Not found.","code":"not_found","errors":[]}'

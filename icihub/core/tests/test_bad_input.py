"""Bad input that got through (issue 15, defect 9): each refused with a clear
4xx naming the field, nothing written; stored values that broke a page for
everyone cannot be stored, and the pages survive the ones stored before."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from icihub.core import services
from icihub.core.models import ApiToken
from icihub.core.text import attach, check_text, download_name, forbidden_character
from icihub.testing import ApiClient, client_for

pytestmark = pytest.mark.django_db


def _errors(response) -> dict:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


# -- bodies that are not JSON ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["training/participants", "programmes/requests", "tokens"])
def test_a_multipart_body_on_a_json_endpoint_is_a_415(kwt_coordinator, path):
    api = ApiClient(kwt_coordinator)
    tokens = ApiToken.objects.count()
    response = api.client.post(f"/api/v1/{path}", {"name": "x"}, headers=api.headers)
    assert response.status_code == 415, response.content
    assert response.json()["code"] == "unsupported_media_type"
    assert ApiToken.objects.count() == tokens


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_json_sent_as_another_type_is_a_415(kwt_coordinator, content_type):
    api = ApiClient(kwt_coordinator)
    tokens = ApiToken.objects.count()
    response = api.client.post(
        "/api/v1/tokens", '{"name": "x"}', content_type=content_type, headers=api.headers
    )
    assert response.status_code == 415
    assert ApiToken.objects.count() == tokens
    # the same body declared JSON is accepted
    response = api.post("tokens", {"name": "x"})
    assert response.status_code == 201


def test_the_415_is_documented():
    from icihub.api import api

    document = api.get_openapi_schema(path_prefix="/api/v1")
    assert "415" in {str(k) for k in document["paths"]["/api/v1/tokens"]["post"]["responses"]}


# -- control characters and lone surrogates --------------------------------------------------


@pytest.mark.parametrize("text", ["\ud800", "a\x07b", "\x1b[31m", "a\x0bb", "x\x7f", "y\x85"])
def test_control_characters_and_lone_surrogates_in_json_are_a_422(kwt_coordinator, text):
    api = ApiClient(kwt_coordinator)
    tokens = ApiToken.objects.count()
    body = json.dumps({"name": text})  # escapes: "\ud800", "\u0007"
    response = api.client.post(
        "/api/v1/tokens", body, content_type="application/json", headers=api.headers
    )
    assert response.status_code == 422, response.content
    assert "name" in _errors(response)
    assert ApiToken.objects.count() == tokens


def test_tabs_and_line_breaks_pass_in_text():
    assert forbidden_character("line one\nline two\r\n\tindented") is None
    assert forbidden_character("a\tb", multiline=False) == "\t"
    assert check_text("Arabic: الأمن", field="x") == "Arabic: الأمن"
    with pytest.raises(ValidationError) as caught:
        check_text("bell\x07", field="given_name")
    assert "U+0007" in caught.value.message_dict["given_name"][0]


def test_a_page_form_with_a_control_character_is_refused_with_the_message(nato_staff):
    response = client_for(nato_staff).get("/menu/", {"q": "cyber\x1b"})
    assert response.status_code == 400
    assert "U+001B" in response.content.decode()


# -- tokens -------------------------------------------------------------------------------------


def test_a_long_token_name_is_refused_not_cut(kwt_coordinator):
    api = ApiClient(kwt_coordinator)
    tokens = ApiToken.objects.count()
    response = api.post("tokens", {"name": "n" * 10_000})
    assert response.status_code == 422 and "name" in _errors(response)
    with pytest.raises(ValidationError) as caught:
        services.create_token(kwt_coordinator, kwt_coordinator, name="n" * 101)
    assert "name" in caught.value.message_dict
    assert ApiToken.objects.count() == tokens
    _token, _raw = services.create_token(kwt_coordinator, kwt_coordinator, name="n" * 100)


# -- download names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["nominations-../../etc/passwd", 'a"b', "x\\y", "NIRC/T 1:2", "..", "", "تدريب"],
)
def test_download_names_hold_no_separator_quote_or_dot_dot(name):
    from django.http import HttpResponse

    safe = download_name(name, "csv")
    stem = safe[: -len(".csv")]
    assert stem and ".." not in safe and "/" not in safe and "\\" not in safe
    assert set(stem) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    header = attach(HttpResponse(), name + ".csv")["Content-Disposition"]
    assert header == f'attachment; filename="{safe}"'


# -- the command line ------------------------------------------------------------------------


def test_menu_import_of_a_directory_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="not a file"):
        call_command("menu_import", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())


# -- rules of a record name their field ------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "constraint", "field"),
    [
        ("menu.Activity", "menu_activity_years_in_order", "last_year"),
        ("programmes.Programme", "programmes_programme_years_in_order", "end_year"),
        ("programmes.PartnerRequest", None, "wanted_to"),
        ("training.Course", "training_course_fee_not_negative", "fee_eur"),
        ("training.Course", "training_course_attendance_rule_percent", "min_attendance_percent"),
        ("training.Session", "training_session_end_after_start", "end"),
    ],
)
def test_a_violated_constraint_is_reported_on_its_field(model, constraint, field):
    """Django reports a check constraint as an error of the whole record
    (``"field": ""`` in the API): it is moved to the field it is about."""
    from django.apps import apps

    from icihub.core.models import constraint_field, errors_on_fields

    cls = apps.get_model(model)
    constraints = [
        c
        for c in cls._meta.constraints
        if (c.name == constraint if constraint else field in str(getattr(c, "condition", "")))
    ]
    assert constraints, (model, constraint)
    assert constraint_field(constraints[0]) == field
    message = str(constraints[0].get_violation_error_message())
    moved = errors_on_fields(cls(), ValidationError({"__all__": [message], "other": ["x"]}))
    assert moved.message_dict == {field: [message], "other": ["x"]}

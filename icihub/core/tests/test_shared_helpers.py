"""The kernel's shared helpers: service errors on form fields, the safe way
back (``next``), the one CSV/XLSX table reader."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from icihub.core.errors import Conflict
from icihub.core.forms import add_service_errors
from icihub.core.viewkit import is_safe_url, safe_next


class _Form(forms.Form):
    title = forms.CharField()
    year = forms.IntegerField()


def _bound() -> _Form:
    form = _Form({"title": "x", "year": "2024"})
    assert form.is_valid()
    return form


# -- add_service_errors ------------------------------------------------------------------------


def test_a_field_level_validation_error_lands_on_its_fields():
    form = _bound()
    add_service_errors(form, ValidationError({"title": ["Taken."], "year": ["Too late."]}))
    assert form.errors == {"title": ["Taken."], "year": ["Too late."]}


def test_a_field_the_form_lacks_and_a_plain_error_go_to_the_form_as_a_whole():
    form = _bound()
    add_service_errors(form, ValidationError({"elsewhere": ["Not here."]}))
    assert form.non_field_errors() == ["Not here."]
    form = _bound()
    add_service_errors(form, ValidationError(["One.", "Two."]))
    assert form.non_field_errors() == ["One.", "Two."]
    assert "title" not in form.errors


def test_a_conflict_with_field_errors_lands_on_its_fields():
    form = _bound()
    conflict = Conflict(
        "The year is closed.",
        errors=[
            {"field": "year", "message": "The year is closed."},
            {"field": "", "message": "Ask the staff."},
        ],
    )
    add_service_errors(form, conflict)
    assert form.errors["year"] == ["The year is closed."]
    assert form.non_field_errors() == ["Ask the staff."]


def test_a_conflict_without_field_errors_goes_to_the_form_as_a_whole():
    form = _bound()
    add_service_errors(form, Conflict("Moved on."))
    assert form.non_field_errors() == ["Moved on."]
    assert list(form.errors) == ["__all__"]


# -- safe_next -----------------------------------------------------------------------------------


def _request(path: str, *, secure: bool = False, data: dict | None = None):
    factory = RequestFactory()
    if data is not None:
        return factory.post(path, data, secure=secure)
    return factory.get(path, secure=secure)


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "http://evil.example/", "javascript:alert(1)"],
)
def test_an_off_site_next_is_refused(target):
    request = _request("/x/", data={"next": target})
    assert safe_next(request, "/home/") == "/home/"
    assert not is_safe_url(request, target)


def test_an_http_next_on_https_is_refused():
    request = _request("/x/?next=http://testserver/audit/", secure=True)
    assert safe_next(request, "/home/") == "/home/"
    plain = _request("/x/?next=http://testserver/audit/")
    assert safe_next(plain, "/home/") == "http://testserver/audit/"
    secure = _request("/x/?next=https://testserver/audit/", secure=True)
    assert safe_next(secure, "/home/") == "https://testserver/audit/"


def test_a_local_next_is_followed_post_first_then_query_string():
    request = RequestFactory().post("/x/?next=/from-get/", {"next": "/from-post/"})
    assert safe_next(request, "/home/") == "/from-post/"
    assert safe_next(_request("/x/?next=/from-get/"), "/home/") == "/from-get/"
    assert safe_next(_request("/x/"), "/home/") == "/home/"


def test_an_explicit_url_replaces_the_requests_next():
    request = _request("/x/?next=/from-get/")
    assert safe_next(request, "/home/", "/given/") == "/given/"
    assert safe_next(request, "/home/", None) == "/home/"
    assert safe_next(request, "/home/", "https://evil.example/") == "/home/"

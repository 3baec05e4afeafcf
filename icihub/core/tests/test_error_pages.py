"""Error answers are pages of the site, in its layout, that tell the user what to do
and never echo what they asked for."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from icihub.testing import client_for

pytestmark = pytest.mark.django_db


def test_an_unknown_address_answers_404_in_the_site_layout(kwt_coordinator):
    response = client_for(kwt_coordinator).get("/no-such-page/<b>x</b>/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Not found" in html
    assert 'class="topbar"' in html  # the site's layout, with its navigation
    assert "<b>x</b>" not in html  # the address asked for is not echoed


def test_a_role_that_may_not_see_a_page_gets_403_in_the_site_layout(kwt_coordinator):
    response = client_for(kwt_coordinator).get(reverse("core:audit_list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Not allowed" in html
    assert 'class="topbar"' in html


def test_a_form_without_its_token_is_refused_with_a_plain_explanation(kwt_coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(kwt_coordinator)
    response = client.post(reverse("core:logout"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Form expired" in html
    assert "nothing was changed" in html
    # Still signed in: the refused form changed nothing.
    assert client.get(reverse("core:account_security")).status_code == 200


def test_the_server_error_page_renders_without_a_request():
    # Django renders 500.html with no context at all: it must not need one.
    html = render_to_string("500.html")
    assert "Server error" in html
    assert "/static/icihub/app.css" in html


def test_an_api_address_no_route_matches_answers_the_apis_json_404():
    # The route takes digits only: "abc" matches no URL pattern at all.
    response = Client().get("/api/v1/menu/activities/abc")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found", "errors": []}


def test_an_api_server_error_is_json_and_a_page_server_error_is_the_page(rf):
    from icihub.core import error_views as errors

    api = errors.server_error(rf.get("/api/v1/countries"))
    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"
    page = errors.server_error(rf.get("/partners/"))
    assert page.status_code == 500
    assert b"Server error" in page.content

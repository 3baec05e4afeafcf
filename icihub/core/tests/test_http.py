"""HTTP hardening: security headers, cookies, the API's rate limit, and the
production settings that pass ``icihub check --deploy``."""

import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings

from icihub.testing import PASSWORD, ApiClient

pytestmark = pytest.mark.django_db


def test_every_page_carries_a_strict_content_security_policy(kwt_coordinator):
    response = Client().get("/")
    csp = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["style-src"] == "'self'"
    assert csp["img-src"] == "'self' data:"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    # the API and its documentation page too
    for path in ("/api/v1/openapi.json", "/api/v1/docs"):
        assert "frame-ancestors 'none'" in Client().get(path)["Content-Security-Policy"]


def test_htmx_is_configured_not_to_inject_inline_styles():
    html = Client().get("/accounts/login/").content.decode()
    assert '"includeIndicatorStyles": false' in html
    assert "<style" not in html and "style=" not in html


def test_session_and_csrf_cookies(kwt_coordinator):
    client = Client()
    client.get("/accounts/login/")
    client.post("/accounts/login/", {"username": "coord-kwt", "password": PASSWORD})
    session = client.cookies["sessionid"]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    csrf = client.cookies["csrftoken"]
    assert csrf["httponly"] is True and csrf["samesite"] == "Lax"


def production_env(tmp_path, **extra):
    # the test run's in-process cache (ICIHUB_CACHE_URL=locmem://) is not a production one
    skip = {"DATABASE_URL", "SECRET_KEY", "ICIHUB_CACHE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        ICIHUB_DATA_DIR=str(tmp_path),
        SECRET_KEY="production-key-shared-by-every-server-0123456789-abcdefghijklmnop",
        ICIHUB_HTTPS="1",
        ICIHUB_BEHIND_PROXY="1",
        ALLOWED_HOSTS="icihub.example.org",
        ICIHUB_DEBUG="0",
        **extra,
    )
    return env


def test_check_deploy_is_clean_under_the_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "icihub.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    # ... and without ICIHUB_HTTPS the same check warns (the test can fail)
    plain = production_env(tmp_path)
    plain.pop("ICIHUB_HTTPS")
    warned = subprocess.run(
        [sys.executable, "-m", "icihub.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=plain,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert warned.returncode != 0
    assert "security.W004" in warned.stdout + warned.stderr  # no HSTS


def test_production_settings_values(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_NAME, s.SECURE_PROXY_SSL_HEADER)"
    )
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="icihub.settings")
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "__Host-icihub_session",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]


def test_client_address_behind_a_proxy(settings, rf):
    from icihub.core.middleware import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7")
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "10.0.0.1"  # a header from the client is not trusted
    settings.BEHIND_PROXY = True
    assert client_ip(request) == "192.0.2.7"  # what our proxy appended


# -- the API's rate limit ----------------------------------------------------------------------


@override_settings(ICIHUB_API_RATE_TOKEN=3, ICIHUB_API_RATE_ANON=2, ICIHUB_API_RATE_WINDOW=60)
def test_the_api_is_rate_limited_per_token_and_per_address(kwt_coordinator, qat_coordinator):
    kuwait, qatar = ApiClient(kwt_coordinator), ApiClient(qat_coordinator)
    for _ in range(3):
        response = kuwait.get("me")
        assert response.status_code == 200
    assert response["X-RateLimit-Remaining"] == "0"
    refused = kuwait.get("me")
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "rate_limited" and body["errors"] == [] and body["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 61
    # another token is counted apart
    assert qatar.get("me").status_code == 200
    # anonymous callers are counted per address
    anonymous = ApiClient()
    assert anonymous.get("sources").status_code == 200
    assert anonymous.get("sources").status_code == 200
    assert anonymous.get("sources").status_code == 429
    other = Client(REMOTE_ADDR="10.20.30.40")
    assert other.get("/api/v1/sources").status_code == 200
    # pages are not rate-limited
    assert Client().get("/sources/").status_code == 200


@override_settings(ICIHUB_API_RATE_TOKEN=0, ICIHUB_API_RATE_ANON=0)
def test_a_rate_limit_of_zero_is_off():
    api = ApiClient()
    for _ in range(5):
        assert api.get("sources").status_code == 200


def test_default_limits_leave_room_for_the_test_suite(settings):
    assert settings.ICIHUB_API_RATE_TOKEN >= 1000
    assert settings.ICIHUB_API_RATE_ANON >= 300

"""Sign-in security: lockout, two-factor authentication with recovery codes,
sessions ended everywhere, password reset that reveals nothing."""

import re
import time

import pyotp
import pytest
from django.core import mail
from django.test import Client, override_settings

from icihub.core import audit, security
from icihub.core.access import SYSTEM
from icihub.core.models import ApiToken, AuditEntry, RecoveryCode, SignInFailure, TOTPDevice
from icihub.testing import (
    PASSWORD,
    ApiClient,
    client_for,
    give_authenticator,
    make_user,
    run_cli,
    totp_code,
)

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"
SETUP = "/accounts/two-factor/"


def sign_in(client, username, password=PASSWORD, next_path="/", **extra):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": next_path}, **extra
    )


def session_user(client):
    return client.session.get("_auth_user_id")


# -- lockout ---------------------------------------------------------------------------


@override_settings(ICIHUB_LOCKOUT_FAILURES=3)
def test_repeated_failures_lock_the_account_even_with_the_right_password(kwt_coordinator):
    client = Client()
    for _ in range(3):
        response = sign_in(client, "coord-kwt", "wrong-password-1")
        assert response.status_code == 200
    assert SignInFailure.objects.filter(username="coord-kwt").count() == 3
    assert AuditEntry.objects.filter(action=audit.Action.LOCKOUT).count() == 1
    response = sign_in(client, "coord-kwt", PASSWORD)
    assert response.status_code == 200
    assert "locked" in response.content.decode()
    assert session_user(client) is None
    # a staff member unlocks it on the account's page; then the password works
    staff = make_user("centre_staff", username="centre")
    page = client_for(staff).get(f"/users/{kwt_coordinator.pk}/")
    assert "locked until" in page.content.decode()
    client_for(staff).post(f"/users/{kwt_coordinator.pk}/security/", {"action": "unlock"})
    assert AuditEntry.objects.filter(action=audit.Action.UNLOCK, actor=staff).exists()
    response = sign_in(client, "coord-kwt", PASSWORD)
    assert response.status_code == 302
    assert session_user(client) == str(kwt_coordinator.pk)
    assert not SignInFailure.objects.filter(username="coord-kwt").exists()


@override_settings(ICIHUB_LOCKOUT_FAILURES=2)
def test_an_unknown_user_name_locks_the_same_way(db):
    client = Client()
    for _ in range(3):
        response = sign_in(client, "nobody-here", "wrong-password-1")
    # the same answer as for an existing account: nothing tells them apart
    assert "locked" in response.content.decode()


@override_settings(ICIHUB_LOCKOUT_FAILURES=50, ICIHUB_LOCKOUT_IP_FAILURES=3)
def test_failures_from_one_address_lock_that_address(kwt_coordinator, qat_coordinator):
    client = Client(REMOTE_ADDR="10.1.2.3")
    for name in ("a1", "a2", "a3"):
        sign_in(client, name, "wrong-password-1")
    response = sign_in(client, "coord-kwt", PASSWORD)
    assert "locked" in response.content.decode()
    # another address is not affected
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert sign_in(other, "coord-qat", PASSWORD).status_code == 302


@override_settings(ICIHUB_LOCKOUT_FAILURES=2)
def test_cli_unlock(kwt_coordinator):
    for _ in range(2):
        sign_in(Client(), "coord-kwt", "wrong-password-1")
    assert security.is_locked("coord-kwt")
    result = run_cli("user", "unlock", "coord-kwt", "--reason", "phoned the helpdesk")
    assert result.code == 0, result.err
    assert not security.is_locked("coord-kwt")
    entry = AuditEntry.objects.get(action=audit.Action.UNLOCK)
    assert entry.via == "cli" and entry.reason == "phoned the helpdesk"
    assert run_cli("user", "unlock", "no-such-user").code == 1


def test_failed_and_successful_sign_ins_are_audited(kwt_coordinator):
    client = Client()
    sign_in(client, "coord-kwt", "wrong-password-1")
    failed = AuditEntry.objects.get(action=audit.Action.LOGIN_FAILED)
    assert failed.changes == {"username": "coord-kwt"}
    assert failed.ip == "127.0.0.1"
    sign_in(client, "coord-kwt")
    assert AuditEntry.objects.filter(action=audit.Action.LOGIN, actor=kwt_coordinator).exists()


# -- two-factor authentication -------------------------------------------------------------


def test_staff_without_an_authenticator_reach_only_the_enrolment(centre_staff):
    client = Client()
    response = sign_in(client, "centre", next_path="/users/")
    assert response.status_code == 302
    assert response.url.startswith(SETUP)
    for path in ("/", "/users/", "/audit/", "/tokens/", "/admin/", "/partners/countries/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith(SETUP), path
    # htmx requests are told where to go too
    response = client.get("/users/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(SETUP)
    # the browser session does not open the API either
    assert client.get("/api/v1/me").status_code == 401

    page = client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=centre_staff)
    assert device.confirmed_at is None
    assert device.secret in html
    assert "otpauth://totp/icihub:centre?secret=" in html
    assert "<svg" in html and "http://" not in html.split("<svg", 1)[1].split("</svg>")[0].replace(
        "http://www.w3.org/2000/svg", ""
    )
    wrong = client.post(SETUP, {"code": "000000"})
    assert "not right" in wrong.content.decode()
    done = client.post(SETUP + "?next=/users/", {"code": pyotp.TOTP(device.secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.content.decode())
    assert len(codes) == 10
    assert RecoveryCode.objects.filter(user=centre_staff).count() == 10
    assert not RecoveryCode.objects.filter(code_hash__in=codes).exists()  # only hashes kept
    assert client.get("/users/").status_code == 200
    assert AuditEntry.objects.filter(
        action=audit.Action.TWO_FACTOR, actor=centre_staff, message="authenticator enrolled"
    ).exists()


def test_with_an_authenticator_the_password_alone_does_not_sign_in(nato_staff):
    give_authenticator(nato_staff)
    client = Client()
    response = sign_in(client, "nato", next_path="/audit/")
    assert response.status_code == 302 and response.url == CODE
    assert session_user(client) is None  # not signed in yet
    assert client.get("/audit/").status_code == 302

    wrong = client.post(CODE, {"code": "123456"})
    assert "not right" in wrong.content.decode()
    assert SignInFailure.objects.filter(username="nato", stage="2fa").count() == 1
    code = totp_code(nato_staff)
    response = client.post(CODE, {"code": code})
    assert response.status_code == 302 and response.url == "/audit/"
    assert session_user(client) == str(nato_staff.pk)
    assert client.get("/audit/").status_code == 200
    assert not SignInFailure.objects.filter(username="nato").exists()

    # the same code does not work twice
    other = Client()
    sign_in(other, "nato")
    assert "not right" in other.post(CODE, {"code": code}).content.decode()
    assert session_user(other) is None


@override_settings(ICIHUB_LOCKOUT_FAILURES=3)
def test_wrong_codes_lock_the_account(nato_staff):
    give_authenticator(nato_staff)
    client = Client()
    sign_in(client, "nato")
    for _ in range(3):
        response = client.post(CODE, {"code": "000000"})
    assert "locked" in response.content.decode()
    assert security.is_locked("nato")
    # a right code no longer helps, and the password step refuses too
    assert "locked" in sign_in(Client(), "nato").content.decode()


def test_a_recovery_code_works_once(administrator):
    give_authenticator(administrator)
    codes = security.new_recovery_codes(administrator)
    client = Client()
    sign_in(client, "admin")
    response = client.post(CODE, {"code": codes[0].upper()})
    assert response.status_code == 302
    assert session_user(client) == str(administrator.pk)
    assert AuditEntry.objects.filter(
        action=audit.Action.TWO_FACTOR, message__startswith="recovery code used (9 left)"
    ).exists()
    again = Client()
    sign_in(again, "admin")
    assert "not right" in again.post(CODE, {"code": codes[0]}).content.decode()


def test_two_factor_is_optional_for_a_coordinator_but_enforced_once_enrolled(kwt_coordinator):
    client = Client()
    assert sign_in(client, "coord-kwt").status_code == 302
    assert client.get("/tokens/").status_code == 200  # no enrolment forced
    device = security.pending_device(kwt_coordinator)
    client.post(SETUP, {"code": pyotp.TOTP(device.secret).now()})
    assert security.has_2fa(kwt_coordinator)
    fresh = Client()
    assert sign_in(fresh, "coord-kwt").url == CODE
    assert session_user(fresh) is None
    # they may turn it off again with a code; every session ends
    code = totp_code(kwt_coordinator)
    client.post("/accounts/security/", {"action": "disable_2fa", "code": code})
    assert not security.has_2fa(kwt_coordinator)
    assert session_user(client) is None


def test_staff_cannot_turn_their_second_factor_off(centre_staff):
    give_authenticator(centre_staff)
    client = client_for(centre_staff)
    response = client.post(
        "/accounts/security/", {"action": "disable_2fa", "code": totp_code(centre_staff)}
    )
    assert response.status_code == 403
    assert security.has_2fa(centre_staff)


def test_new_recovery_codes_need_a_code(centre_staff):
    give_authenticator(centre_staff)
    old = security.new_recovery_codes(centre_staff)
    client = client_for(centre_staff)
    refused = client.post("/accounts/security/", {"action": "recovery_codes", "code": "000000"})
    assert "not right" in refused.content.decode()
    response = client.post("/accounts/security/", {"action": "recovery_codes", "code": old[1]})
    new = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)


def test_an_administrator_resets_a_lost_authenticator(administrator, nato_staff, centre_staff):
    give_authenticator(nato_staff)
    nato_client = client_for(nato_staff)
    assert nato_client.get("/users/").status_code == 200
    # Centre staff may not touch a NATO account's second factor
    response = client_for(centre_staff).post(
        f"/users/{nato_staff.pk}/security/", {"action": "reset_2fa"}
    )
    assert response.status_code == 403
    assert security.has_2fa(nato_staff)
    client_for(administrator).post(
        f"/users/{nato_staff.pk}/security/", {"action": "reset_2fa", "reason": "lost phone"}
    )
    assert not security.has_2fa(nato_staff)
    # their sessions ended; at the next sign-in they enrol again
    assert nato_client.get("/users/").url.startswith(LOGIN)
    entry = AuditEntry.objects.get(action=audit.Action.TWO_FACTOR, message__contains="removed")
    assert entry.actor == administrator and entry.reason == "lost phone"


def test_the_rules_on_removing_a_second_factor_hold_in_the_service(
    nato_staff, centre_staff, kwt_coordinator
):
    """Whoever calls ``security.remove_2fa`` (a page, the API, a script): an
    account whose role requires it cannot turn it off, Centre staff cannot reset
    a NATO account's; an optional user may turn theirs off, the system may reset."""
    from django.core.exceptions import PermissionDenied

    for user in (nato_staff, centre_staff, kwt_coordinator):
        give_authenticator(user)
    with pytest.raises(PermissionDenied, match="requires two-factor"):
        security.remove_2fa(centre_staff, centre_staff)
    with pytest.raises(PermissionDenied):
        security.remove_2fa(centre_staff, nato_staff)
    assert security.has_2fa(centre_staff) and security.has_2fa(nato_staff)
    assert security.remove_2fa(kwt_coordinator, kwt_coordinator)
    assert security.remove_2fa(SYSTEM, nato_staff, reason="lost phone")
    assert not security.has_2fa(kwt_coordinator) and not security.has_2fa(nato_staff)


def test_ending_another_accounts_sessions_is_for_staff_who_may_manage_it_in_the_service(
    nato_staff, centre_staff, kwt_coordinator, qat_coordinator
):
    """``security.end_sessions``: one's own sessions, or another account's by
    staff who may manage it; Centre staff cannot sign a NATO account out."""
    from django.core.exceptions import PermissionDenied

    epochs = {u.pk: u.session_epoch for u in (nato_staff, qat_coordinator)}
    with pytest.raises(PermissionDenied):
        security.end_sessions(kwt_coordinator, qat_coordinator)
    with pytest.raises(PermissionDenied):
        security.end_sessions(centre_staff, nato_staff)
    for user in (nato_staff, qat_coordinator):
        user.refresh_from_db()
        assert user.session_epoch == epochs[user.pk]  # refused: nothing ended
    security.end_sessions(kwt_coordinator, kwt_coordinator)
    security.end_sessions(centre_staff, qat_coordinator)
    security.end_sessions(SYSTEM, nato_staff)
    assert qat_coordinator.session_epoch == epochs[qat_coordinator.pk] + 1
    assert nato_staff.session_epoch == epochs[nato_staff.pk] + 1


def test_cli_otp_code_prints_the_current_code_and_is_audited(centre_staff):
    device = give_authenticator(centre_staff, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    result = run_cli("user", "otp-code", "centre")
    assert result.code == 0, result.err
    assert result.out.strip() == pyotp.TOTP(device.secret).now() or result.out.strip() == (
        pyotp.TOTP(device.secret).at(time.time() - 30)
    )
    assert AuditEntry.objects.filter(message__contains="otp-code", via="cli").exists()
    assert run_cli("user", "otp-code", "admin-none").code == 1
    make_user("participant", username="p1")
    assert run_cli("user", "otp-code", "p1").code == 1  # no authenticator


def test_cli_reset_2fa_and_sign_out(centre_staff):
    give_authenticator(centre_staff)
    token = ApiClient(centre_staff)
    assert run_cli("user", "reset-2fa", "centre").code == 0
    assert not security.has_2fa(centre_staff)
    assert run_cli("user", "sign-out", "centre", "--revoke-tokens").code == 0
    assert token.get("me").status_code == 401
    assert AuditEntry.objects.filter(action=audit.Action.SESSIONS_ENDED, via="cli").exists()


def test_the_totp_algorithm_matches_rfc_6238():
    # RFC 6238 appendix B, SHA-1, secret "12345678901234567890", 8 digits
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert pyotp.TOTP(secret, digits=8).at(59) == "94287082"
    assert security.code_at(secret, 1) == "287082"  # the 6-digit tail of the same value


# -- sessions ------------------------------------------------------------------------------


def test_sign_out_ends_the_session(kwt_coordinator):
    client = Client()
    sign_in(client, "coord-kwt")
    cookie = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get("/tokens/").status_code == 302  # the old session is gone


def test_sign_out_everywhere_ends_every_session_and_optionally_the_tokens(kwt_coordinator):
    laptop, phone = Client(), Client()
    sign_in(laptop, "coord-kwt")
    sign_in(phone, "coord-kwt")
    api = ApiClient(kwt_coordinator)
    assert phone.get("/tokens/").status_code == 200
    laptop.post("/accounts/security/", {"action": "end_sessions"})
    assert phone.get("/tokens/").status_code == 302
    assert laptop.get("/tokens/").status_code == 302
    assert api.get("me").status_code == 200  # tokens kept unless asked
    sign_in(laptop, "coord-kwt")
    laptop.post("/accounts/security/", {"action": "end_sessions", "revoke_tokens": "on"})
    assert api.get("me").status_code == 401
    assert not ApiToken.objects.filter(user=kwt_coordinator, revoked_at__isnull=True).exists()
    assert AuditEntry.objects.filter(action=audit.Action.SESSIONS_ENDED).count() == 2


def test_sessions_expire_when_idle(settings, kwt_coordinator):
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = Client()
    sign_in(client, "coord-kwt")
    key = client.cookies["sessionid"].value
    # each request pushes the end of the session 30 minutes ahead ...
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=1)
    )
    assert client.get("/tokens/").status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + dt.timedelta(minutes=29)
    # ... and a session idle for longer is over
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get("/tokens/").status_code == 302


def test_a_page_view_writes_the_session_only_when_its_expiry_moves(settings, kwt_coordinator):
    """The idle timeout without a write on every page view: the session row is
    written again only when the request moves its expiry by more than a minute."""
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    client = Client()
    sign_in(client, "coord-kwt")
    key = client.cookies["sessionid"].value

    def session_writes(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return [
            q["sql"]
            for q in queries.captured_queries
            if "django_session" in q["sql"] and not q["sql"].lstrip().startswith("SELECT")
        ]

    # just signed in: a page view reads the session and writes nothing
    assert session_writes("/tokens/") == []
    stored = Session.objects.get(session_key=key).expire_date
    assert session_writes("/tokens/") == []
    assert Session.objects.get(session_key=key).expire_date == stored
    # 30 seconds behind: still no write
    Session.objects.filter(session_key=key).update(expire_date=stored - dt.timedelta(seconds=30))
    assert session_writes("/tokens/") == []
    # two minutes behind: written, 30 minutes ahead again
    Session.objects.filter(session_key=key).update(expire_date=stored - dt.timedelta(minutes=2))
    assert len(session_writes("/tokens/")) == 1
    assert Session.objects.get(session_key=key).expire_date > timezone.now() + dt.timedelta(
        minutes=29
    )


def test_session_api_writes_are_refused_without_a_token(kwt_coordinator):
    """A browser session reads the API (the docs page) but never writes through
    it: no CSRF-able write exists."""
    client = client_for(kwt_coordinator)
    assert client.get("/api/v1/me").status_code == 200
    response = client.post("/api/v1/tokens", data={"name": "x"}, content_type="application/json")
    assert response.status_code == 401
    assert not ApiToken.objects.filter(user=kwt_coordinator).exists()


def test_forms_need_the_csrf_token(kwt_coordinator):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "coord-kwt", "password": PASSWORD})
    assert response.status_code == 403
    client.force_login(kwt_coordinator)
    assert client.post("/tokens/", {"name": "t", "days": 5}).status_code == 403
    assert not ApiToken.objects.filter(user=kwt_coordinator).exists()


# -- password reset -----------------------------------------------------------------------------


@override_settings(ICIHUB_PASSWORD_RESET_SECONDS=0.3)
def test_password_reset_reveals_nothing_and_works(kwt_coordinator):
    answers = []
    for email in ("coord-kwt@example.test", "nobody@example.test"):
        client = Client()
        started = time.monotonic()
        response = client.post("/accounts/password/reset/", {"email": email}, follow=True)
        elapsed = time.monotonic() - started
        assert elapsed >= 0.3
        page = re.sub(r"[A-Za-z0-9]{64}", "<csrf>", response.content.decode())
        answers.append((response.redirect_chain, page))
    assert answers[0] == answers[1]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["coord-kwt@example.test"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)[1]
    client = Client()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    url = form.redirect_chain[-1][0]
    new = "Another-Long-Passphrase-42"
    done = client.post(url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert sign_in(Client(), "coord-kwt", new).status_code == 302
    # the link works once
    assert "not valid" in Client().get(link, follow=True).content.decode()


def test_password_change_checks_the_rules(kwt_coordinator):
    client = client_for(kwt_coordinator)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    new = "Quite-Another-Passphrase-7"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert client.get("/tokens/").status_code == 200  # this session stays signed in


def test_passwords_are_hashed_with_argon2(settings):
    import importlib

    import icihub.settings as configured

    # the tests put a fast hasher first (conftest); the configuration has Argon2 first
    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    importlib.import_module("argon2")  # the hasher's library is installed
    names = {v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert {"MinimumLengthValidator", "CommonPasswordValidator"} <= names


def test_the_admin_has_no_sign_in_form_of_its_own(administrator):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    # posting a password there signs nobody in
    client = Client()
    client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert session_user(client) is None


def test_demo_staff_accounts_get_the_demo_authenticator(db):
    from icihub.core import demo

    demo.load(progress=lambda line: None)
    for name in ("admin", "nato", "centre"):
        device = TOTPDevice.objects.get(user__username=name)
        assert device.secret == demo.demo_totp_secret() and device.confirmed_at
    assert not TOTPDevice.objects.filter(user__username__in=["kuwait", "participant"]).exists()
    code = run_cli("user", "otp-code", "admin").out.strip()
    totp = pyotp.TOTP(demo.demo_totp_secret())
    assert code in (totp.now(), totp.at(time.time() - 5))

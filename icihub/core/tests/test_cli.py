"""The command line: ``icihub user ...``, ``icihub token ...``, ``icihub load-demo``.
Bad input exits non-zero with a message and writes nothing."""

import pytest

from icihub.core.access import Role
from icihub.core.models import ApiToken, AuditEntry, User
from icihub.testing import PASSWORD, make_user, run_cli

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        User.objects.count(),
        ApiToken.objects.count(),
        AuditEntry.objects.count(),
        list(
            User.objects.order_by("pk").values_list(
                "username", "role", "country_id", "is_active", "password"
            )
        ),
    )


def test_user_create_list_and_change(kuwait, qatar):
    result = run_cli(
        "user", "create", "hessa", "--role", "coordinator", "--country", "kwt",
        "--email", "hessa@example.test", "--first-name", "Hessa", "--last-name", "Al-Sabah",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "Created hessa" in result.out
    hessa = User.objects.get(username="hessa")
    assert (hessa.role, hessa.country, hessa.email) == (
        Role.COORDINATOR,
        kuwait,
        "hessa@example.test",
    )
    assert hessa.get_full_name() == "Hessa Al-Sabah" and hessa.check_password(PASSWORD)

    result = run_cli("user", "create", "nopass", "--role", "participant")
    assert result.code == 0 and "set-password" in result.out
    assert not User.objects.get(username="nopass").has_usable_password()

    listing = run_cli("user", "list", "--role", "coordinator", "--country", "KWT")
    assert listing.code == 0
    lines = listing.out.strip().splitlines()
    assert lines[0].split()[:3] == ["USERNAME", "ROLE", "COUNTRY"]
    assert [line.split()[0] for line in lines[1:-1]] == ["hessa"]
    assert lines[-1] == "1 account(s)"

    assert (
        run_cli("user", "set-role", "hessa", "--role", "coordinator", "--country", "QAT").code == 0
    )
    hessa.refresh_from_db()
    assert hessa.country == qatar
    assert run_cli("user", "set-role", "hessa", "--role", "nato_staff").code == 0
    hessa.refresh_from_db()
    assert (hessa.role, hessa.country) == (Role.NATO_STAFF, None)

    assert run_cli("user", "deactivate", "hessa", "--reason", "left").code == 0
    hessa.refresh_from_db()
    assert not hessa.is_active
    assert "hessa" in run_cli("user", "list", "--inactive").out
    assert run_cli("user", "activate", "hessa").code == 0
    hessa.refresh_from_db()
    assert hessa.is_active

    result = run_cli(
        "user", "set-password", "nopass", "--password-stdin", stdin="A-New-Secret-99\n"
    )
    assert result.code == 0, result.err
    assert User.objects.get(username="nopass").check_password("A-New-Secret-99")
    assert (
        AuditEntry.objects.filter(via="cli", action="permission", object_id=str(hessa.pk)).count()
        == 5
    )


@pytest.mark.parametrize(
    "args,stdin,message",
    [
        (["user", "create", "x", "--role", "king"], "", "Unknown role"),
        (["user", "create", "x", "--role", "coordinator"], "", "must be bound to a country"),
        (
            ["user", "create", "x", "--role", "coordinator", "--country", "ZZZ"],
            "",
            "Unknown country",
        ),
        (["user", "create", "coord-kwt", "--role", "participant"], "", "is taken"),
        (["user", "create", "COORD-KWT", "--role", "participant"], "", "is taken"),
        (
            ["user", "create", "x", "--role", "participant", "--password-stdin"],
            "123\n",
            "too short",
        ),
        (["user", "create", "x", "--role", "participant", "--password-stdin"], "", "No password"),
        (["user", "create", "bad name", "--role", "participant"], "", "username"),
        (["user", "create", "x", "--role", "participant", "--email", "nope"], "", "email"),
        (["user", "set-role", "ghost", "--role", "participant"], "", "No user"),
        (
            ["user", "set-role", "coord-kwt", "--role", "coordinator", "--country", "ZZ"],
            "",
            "Unknown country",
        ),
        (["user", "set-role", "coord-kwt", "--role", "king"], "", "Unknown role"),
        (["user", "set-password", "coord-kwt", "--password-stdin"], "password\n", "too common"),
        (["user", "deactivate", "ghost"], "", "No user"),
        (["token", "create", "ghost"], "", "No user"),
        (["token", "create", "coord-kwt", "--days", "0"], "", "between 1 and 366"),
        (["token", "revoke", "ici_nothing"], "", "No token"),
        (["token", "revoke", "ici"], "", "at least 8"),
    ],
)
def test_bad_input_exits_non_zero_and_writes_nothing(kwt_coordinator, args, stdin, message):
    before = snapshot()
    result = run_cli(*args, stdin=stdin)
    assert result.code != 0
    assert message.lower() in result.err.lower(), result.err
    assert snapshot() == before


def test_usage_errors_exit_non_zero(kwt_coordinator):
    assert run_cli("user").code != 0
    assert run_cli("user", "create", "x").code != 0  # --role is required
    assert run_cli("token", "frobnicate").code != 0
    assert not User.objects.filter(username="x").exists()


def test_token_list_and_revoke(kwt_coordinator, qat_coordinator):
    first = run_cli("token", "create", "coord-kwt", "--name", "one").out.strip()
    run_cli("token", "create", "coord-qat", "--name", "two")
    listing = run_cli("token", "list", "coord-kwt")
    assert listing.code == 0
    assert first[:12] in listing.out and "coord-qat" not in listing.out
    assert "valid" in listing.out
    assert "2 token(s)" in run_cli("token", "list").out

    result = run_cli("token", "revoke", first[:12])
    assert result.code == 0 and "revoked" in result.out
    token = ApiToken.objects.get(prefix=first[:12])
    assert token.revoked_at is not None
    assert "revoked" in run_cli("token", "list", "coord-kwt").out
    # revoking again is harmless
    assert run_cli("token", "revoke", first).code == 0
    # the whole token works too, and must match its hash
    wrong = first[:12] + "x" * 20
    assert run_cli("token", "revoke", wrong).code != 0


def test_load_demo_if_empty_does_nothing_when_there_are_accounts(kwt_coordinator):
    before = snapshot()
    result = run_cli("load-demo", "--if-empty")
    assert result.code == 0
    assert "not loaded" in result.out
    assert snapshot() == before


def test_load_demo_creates_one_account_per_role_and_is_all_or_nothing(monkeypatch):
    from icihub.core import demo

    result = run_cli("load-demo", "--if-empty")
    assert result.code == 0, result.err
    assert "demo data: core" in result.out
    accounts = {u.username: u for u in User.objects.all()}
    for spec in demo.DEMO_USERS:
        user = accounts[spec.username]
        assert user.role == spec.role
        assert (user.country.iso3 if user.country else None) == spec.country
        assert user.check_password(demo.demo_password())
    assert {u.role for u in accounts.values()} == set(Role.values)

    # running it again adds nothing (the accounts exist)
    assert run_cli("load-demo").code == 0
    assert User.objects.filter(username__in=[s.username for s in demo.DEMO_USERS]).count() == 7


def test_load_demo_failure_rolls_everything_back(monkeypatch):
    from icihub.core import demo

    real_load = demo.load

    def load_then_fail(progress):
        real_load(progress)
        make_user("participant", username="half-way")
        from django.core.exceptions import ValidationError

        raise ValidationError({"demo": "broken demo data"})

    monkeypatch.setattr(demo, "load", load_then_fail)
    result = run_cli("load-demo")
    assert result.code != 0 and "broken demo data" in result.err
    assert User.objects.count() == 0

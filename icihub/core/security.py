"""Sign-in security: lockout after repeated failures, two-factor
authentication (TOTP, RFC 6238) with single-use recovery codes, and ending
every session of an account.

Rules (settings of ``icihub/settings.py``, defaults in brackets):

* ``ICIHUB_LOCKOUT_FAILURES`` (5) failed sign-ins for one user name, or
  ``ICIHUB_LOCKOUT_IP_FAILURES`` (20) from one address, within
  ``ICIHUB_LOCKOUT_WINDOW`` seconds (900) lock that user name / address out
  for ``ICIHUB_LOCKOUT_SECONDS`` (900) after the last failure. A wrong second
  factor counts as a failure. The user name is locked whether or not it
  exists, so a lockout reveals nothing. Staff unlock on the user's page,
  administrators with ``icihub user unlock USERNAME``.
* Accounts whose role is in ``ICIHUB_2FA_REQUIRED_ROLES`` (administrators,
  NATO staff, Centre staff) must enrol an authenticator before anything else
  (``TwoFactorMiddleware``); others may. An account with a confirmed
  authenticator gives a code (or a recovery code) after its password.
* A session is *verified* when its second factor was checked
  (:data:`SESSION_VERIFIED`). ``end_sessions`` raises the account's
  ``session_epoch``, which invalidates every session of it at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .access import STAFF_ROLES, SYSTEM, is_system, role_of
from .models import RecoveryCode, SignInFailure, TOTPDevice, User

SESSION_VERIFIED = "icihub_2fa_verified"
SESSION_PENDING = "icihub_2fa_pending"
PENDING_SECONDS = 300
RECOVERY_CODES = 10
TOTP_DIGITS = 6
TOTP_PERIOD = 30
TOTP_WINDOW = 1  # one time step either side, for clocks slightly apart
ISSUER = "icihub"


# -- lockout ------------------------------------------------------------------------------


def _norm(username: str) -> str:
    return (username or "").strip().lower()[:150]


def lockout_rules() -> dict:
    return {
        "failures": settings.ICIHUB_LOCKOUT_FAILURES,
        "ip_failures": settings.ICIHUB_LOCKOUT_IP_FAILURES,
        "window": settings.ICIHUB_LOCKOUT_WINDOW,
        "seconds": settings.ICIHUB_LOCKOUT_SECONDS,
    }


def _recent(**lookup):
    rules = lockout_rules()
    since = timezone.now() - dt.timedelta(seconds=max(rules["window"], rules["seconds"]))
    return SignInFailure.objects.filter(timestamp__gte=since, **lookup)


def _locked_until(qs, threshold: int, rules: dict) -> dt.datetime | None:
    """The end of the lockout when ``threshold`` failures fell within one window."""
    if threshold <= 0:
        return None
    times = list(qs.order_by("-timestamp").values_list("timestamp", flat=True)[:threshold])
    if len(times) < threshold:
        return None
    newest, oldest = times[0], times[-1]
    if (newest - oldest).total_seconds() > rules["window"]:
        return None
    until = newest + dt.timedelta(seconds=rules["seconds"])
    return until if until > timezone.now() else None


def locked_until(username: str = "", ip: str | None = None) -> dt.datetime | None:
    """When the lockout of this user name or address ends (None: not locked)."""
    rules = lockout_rules()
    ends = []
    if username:
        ends.append(_locked_until(_recent(username=_norm(username)), rules["failures"], rules))
    if ip:
        ends.append(_locked_until(_recent(ip=ip), rules["ip_failures"], rules))
    ends = [e for e in ends if e is not None]
    return max(ends) if ends else None


def is_locked(username: str = "", ip: str | None = None) -> bool:
    return locked_until(username, ip) is not None


def record_failure(username: str, ip: str | None, stage: str = "password") -> bool:
    """Count a failed sign-in; returns True when it locks the account or address
    now (an audit "lockout" event is written then)."""
    name = _norm(username)
    was_locked = is_locked(name, ip)
    SignInFailure.objects.create(username=name, ip=ip, stage=stage)
    if stage != "password":  # password failures are recorded by the auth signal
        audit.log_event(
            audit.Action.LOGIN_FAILED,
            User.objects.filter(username__iexact=name).first(),
            message=f"wrong second factor for “{name}”",
            data={"username": name, "stage": stage},
            ip=ip,
        )
    if was_locked or not is_locked(name, ip):
        return False
    rules = lockout_rules()
    account = _locked_until(_recent(username=name), rules["failures"], rules) is not None
    audit.log_event(
        audit.Action.LOCKOUT,
        User.objects.filter(username__iexact=name).first(),
        message=(f"sign-in locked for “{name}”" if account else f"sign-in locked for address {ip}"),
        data={"username": name, "ip": ip, "scope": "account" if account else "address"},
        ip=ip,
    )
    return True


def clear_failures(username: str) -> None:
    """After a complete sign-in the account's failures are forgotten."""
    SignInFailure.objects.filter(username=_norm(username)).delete()


def unlock(actor, *, username: str = "", ip: str | None = None, reason: str = "") -> int:
    """Lift the lockout of a user name (and/or an address); audited. Returns how
    many recorded failures were removed."""
    qs = SignInFailure.objects.none()
    if username:
        qs = qs | SignInFailure.objects.filter(username=_norm(username))
    if ip:
        qs = qs | SignInFailure.objects.filter(ip=ip)
    with transaction.atomic():
        removed, _per_model = SignInFailure.objects.filter(
            pk__in=list(qs.values_list("pk", flat=True))
        ).delete()
        audit.log_event(
            audit.Action.UNLOCK,
            User.objects.filter(username__iexact=_norm(username)).first() if username else None,
            message=f"sign-in unlocked for {('“' + _norm(username) + '”') if username else ip}",
            data={"username": _norm(username), "ip": ip, "failures_removed": removed},
            actor=actor,
            reason=reason,
        )
    return removed


# -- two-factor authentication ---------------------------------------------------------------


def requires_2fa(user) -> bool:
    """Whether the account must use a second factor (by role)."""
    roles = getattr(settings, "ICIHUB_2FA_REQUIRED_ROLES", STAFF_ROLES)
    role = role_of(user)
    return role is not None and (role in roles or getattr(user, "is_superuser", False))


def confirmed_device(user) -> TOTPDevice | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def has_2fa(user) -> bool:
    return confirmed_device(user) is not None


def _totp(secret: str):
    import pyotp

    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD)


def new_secret() -> str:
    import pyotp

    return pyotp.random_base32(32)  # 160 bits, as RFC 4226 recommends


def pending_device(user) -> TOTPDevice:
    """The not yet confirmed authenticator of ``user`` (created on first call;
    its secret stays the same until it is confirmed)."""
    device = TOTPDevice.objects.filter(user=user).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, secret=new_secret())
    return device


def provisioning_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` address an authenticator app scans."""
    return _totp(device.secret).provisioning_uri(name=device.user.username, issuer_name=ISSUER)


def qr_svg(data: str) -> str:
    """An inline SVG QR code, rendered here (nothing is fetched)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(data, error="m").save(
        out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, nl=False
    )
    return out.getvalue().decode()


def current_counter(at: float | None = None) -> int:
    import time

    return int((time.time() if at is None else at) // TOTP_PERIOD)


def code_at(secret: str, counter: int) -> str:
    return _totp(secret).generate_otp(counter)


def current_code(user) -> str:
    """The code the account's authenticator shows now (``icihub user otp-code``)."""
    device = TOTPDevice.objects.filter(user=user).first()
    if device is None:
        raise LookupError("no authenticator")
    return code_at(device.secret, current_counter())


def _check_totp(device: TOTPDevice, code: str) -> bool:
    """A right code for a time step not used before (a code works once)."""
    code = "".join(code.split())
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return False
    now = current_counter()
    for counter in range(now - TOTP_WINDOW, now + TOTP_WINDOW + 1):
        if counter <= device.last_counter:
            continue
        if secrets.compare_digest(code_at(device.secret, counter), code):
            # conditional update: two requests with the same code, one wins
            used = TOTPDevice.objects.filter(pk=device.pk, last_counter__lt=counter).update(
                last_counter=counter
            )
            if used:
                device.last_counter = counter
            return bool(used)
    return False


def _hash_code(code: str) -> str:
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(f"icihub-recovery:{normal}".encode()).hexdigest()


def _check_recovery(user, code: str) -> bool:
    row = RecoveryCode.objects.filter(
        user=user, code_hash=_hash_code(code), used_at__isnull=True
    ).first()
    if row is None:
        return False
    return bool(
        RecoveryCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now())
    )


def verify_second_factor(user, code: str, *, ip: str | None = None) -> str | None:
    """Check a code: "totp" or "recovery" when it is right (and now used), None
    otherwise. Recording the failure is the caller's business."""
    code = (code or "").strip()
    device = confirmed_device(user)
    if device is None or not code:
        return None
    if _check_totp(device, code):
        return "totp"
    if _check_recovery(user, code):
        remaining = recovery_codes_left(user)
        audit.log_event(
            audit.Action.TWO_FACTOR,
            user,
            message=f"recovery code used ({remaining} left)",
            data={"event": "recovery_code_used", "remaining": remaining},
            actor=user,
            ip=ip,
        )
        return "recovery"
    return None


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def new_recovery_codes(user, actor=None) -> list[str]:
    """Replace the account's recovery codes with :data:`RECOVERY_CODES` new
    ones; returns them (shown once: only hashes are kept)."""
    codes = []
    for _i in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            [RecoveryCode(user=user, code_hash=_hash_code(c)) for c in codes]
        )
        audit.log_event(
            audit.Action.TWO_FACTOR,
            user,
            message="new recovery codes",
            data={"event": "recovery_codes_created", "count": len(codes)},
            actor=actor or user,
        )
    return codes


def confirm_device(user, code: str, *, ip: str | None = None) -> list[str] | None:
    """Confirm the pending authenticator with a code from it. Returns the new
    recovery codes, or None when the code is wrong."""
    device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None or not _check_totp(device, code or ""):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed_at=timezone.now())
        audit.log_event(
            audit.Action.TWO_FACTOR,
            user,
            message="authenticator enrolled",
            data={"event": "enrolled"},
            actor=user,
            ip=ip,
        )
        return new_recovery_codes(user, actor=user)


def install_device(user, secret: str | None = None, actor=SYSTEM) -> TOTPDevice:
    """Give ``user`` a confirmed authenticator with ``secret`` (demo accounts and
    tests; the system acts). Replaces any existing one."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, secret=secret or new_secret(), confirmed_at=timezone.now()
        )
        audit.log_event(
            audit.Action.TWO_FACTOR,
            user,
            message="authenticator installed by the system",
            data={"event": "installed"},
            actor=actor,
        )
    return device


def _check_remove_2fa(actor, user) -> None:
    """An account whose role requires a second factor cannot turn it off itself;
    another account's is reset by staff who may manage it (the system may)."""
    if is_system(actor):
        return
    if actor.pk == user.pk:
        if requires_2fa(user):
            raise PermissionDenied(_("Your role requires two-factor authentication."))
        return
    from .services import check_manage

    check_manage(actor, user)


def remove_2fa(actor, user, *, reason: str = "") -> bool:
    """Remove the authenticator and recovery codes (lost device, or an optional
    user turning it off); every session of the account ends. Audited."""
    _check_remove_2fa(actor, user)
    with transaction.atomic():
        had = TOTPDevice.objects.filter(user=user).exists()
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        _raise_session_epoch(user)
        audit.log_event(
            audit.Action.TWO_FACTOR,
            user,
            message="two-factor authentication removed",
            data={"event": "removed", "had_device": had},
            actor=actor,
            reason=reason,
        )
    user.refresh_from_db(fields=["session_epoch"])
    return had


# -- sessions ------------------------------------------------------------------------------------


def _raise_session_epoch(user) -> None:
    """Every session of ``user`` ends: their hash no longer matches
    (``User.get_session_auth_hash``)."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)


def end_sessions(actor, user, *, revoke_tokens: bool = False, reason: str = "") -> int:
    """End every session of ``user`` (raising its session generation), and
    optionally revoke its API tokens. Returns the number of tokens revoked.
    One's own sessions, or another account's by staff who may manage it (the
    system may)."""
    from .services import check_manage
    from .services import revoke_tokens as revoke

    if not is_system(actor) and actor.pk != user.pk:
        check_manage(actor, user)
    with transaction.atomic():
        _raise_session_epoch(user)
        revoked = revoke(user, actor) if revoke_tokens else 0
        audit.log_event(
            audit.Action.SESSIONS_ENDED,
            user,
            message=f"every session ended{f', {revoked} API tokens revoked' if revoked else ''}",
            data={"tokens_revoked": revoked},
            actor=actor,
            reason=reason,
        )
    user.refresh_from_db(fields=["session_epoch"])
    return revoked


def mark_verified(request) -> None:
    request.session[SESSION_VERIFIED] = True


def is_verified(request) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SESSION_VERIFIED))


def needs_second_factor(request) -> bool:
    """A signed-in browser session that must still pass the second factor
    (enrol, or give a code) before anything else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if is_verified(request):
        return False
    # by role only (no query per request): an optional user with an
    # authenticator passes it at sign-in, which marks the session verified
    return requires_2fa(user)

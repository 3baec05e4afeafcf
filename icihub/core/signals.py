"""Sign-in, sign-out and failed sign-in are recorded in the audit trail."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .middleware import client_ip


def _ip(request):
    return client_ip(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="icihub_audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit.log_event(audit.Action.LOGIN, user, actor=user, ip=_ip(request))


@receiver(user_logged_out, dispatch_uid="icihub_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.log_event(audit.Action.LOGOUT, user, actor=user, ip=_ip(request))


@receiver(user_login_failed, dispatch_uid="icihub_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit.log_event(
        audit.Action.LOGIN_FAILED,
        None,
        message=f"failed sign-in for “{username}”",
        data={"username": username},
        ip=_ip(request),
    )

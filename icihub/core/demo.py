"""Demo data of the shared kernel: one account per role.

``icihub load-demo`` (and ``icihub setup`` on an empty database) calls
``load(progress)`` of every app's ``demo.py`` in ``core.reference.ORDER``; this
one runs first, so the other apps' demo loaders find the accounts by user name
(:data:`DEMO_USERS`, :func:`demo_user`): the training app links "instructor"
to an instructor record and "participant" to a participant record."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .access import SYSTEM, Role
from .reference import Progress

# One shared password for every demo account, printed by ``icihub setup``.
# ICIHUB_DEMO_PASSWORD overrides it (it must pass the password rules).
DEFAULT_DEMO_PASSWORD = "Istanbul-Initiative-2004"


def demo_password() -> str:
    return os.environ.get("ICIHUB_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


# Staff demo accounts must use two-factor authentication like real staff: they
# get an authenticator with this known key (printed by ``icihub setup``; add it
# to an authenticator app, or print the current code on the server with
# ``icihub user otp-code admin``). ICIHUB_DEMO_TOTP_SECRET overrides it (base32).
DEFAULT_DEMO_TOTP_SECRET = "ICIHUBDEMOTOTPSECRETFORSTAFFONLY"


def demo_totp_secret() -> str:
    return (os.environ.get("ICIHUB_DEMO_TOTP_SECRET") or DEFAULT_DEMO_TOTP_SECRET).upper()


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    country: str | None
    first_name: str
    last_name: str

    @property
    def description(self) -> str:
        label = str(Role(self.role).label)
        return f"{label} ({self.country})" if self.country else label


DEMO_USERS = [
    DemoUser("admin", Role.ADMIN, None, "Alex", "Admin"),
    DemoUser("nato", Role.NATO_STAFF, None, "Nora", "Lindqvist"),
    DemoUser("centre", Role.CENTRE_STAFF, None, "Faisal", "Al-Mutairi"),
    DemoUser("kuwait", Role.COORDINATOR, "KWT", "Hessa", "Al-Sabah"),
    DemoUser("qatar", Role.COORDINATOR, "QAT", "Khalid", "Al-Thani"),
    DemoUser("instructor", Role.INSTRUCTOR, None, "Marco", "Bianchi"),
    DemoUser("participant", Role.PARTICIPANT, None, "Yousef", "Al-Ajmi"),
]


# The sizes of the demo data: "small" is the Centre's first year and the sourced
# examples (what the tests load); "full" adds the years since and the menu at
# its real size (what `icihub setup` loads on an empty database).
SIZES = ("small", "full")


def demo_size(size: str | None = None) -> str:
    """``size``, or the setting ICIHUB_DEMO_SIZE when it is None; a ValueError
    for anything but "small" and "full"."""
    from django.conf import settings

    size = size or getattr(settings, "ICIHUB_DEMO_SIZE", "full")
    if size not in SIZES:
        raise ValueError(f"unknown demo size {size!r}: one of {', '.join(SIZES)}")
    return size


def is_full(size: str | None = None) -> bool:
    return demo_size(size) == "full"


def demo_user(username: str):
    """The demo account ``username`` (for other apps' demo loaders)."""
    from .models import User

    return User.objects.get(username=username)


def load(progress: Progress = print) -> None:
    """Create the demo accounts that do not exist yet (an existing account is
    left as it is)."""
    from . import countries, services
    from .models import User

    password = demo_password()
    existing = set(
        User.objects.filter(username__in=[u.username for u in DEMO_USERS]).values_list(
            "username", flat=True
        )
    )
    created = 0
    for spec in DEMO_USERS:
        if spec.username in existing:
            continue
        services.create_user(
            SYSTEM,
            username=spec.username,
            role=spec.role,
            country=countries.by_code(spec.country),
            password=password,
            email=f"{spec.username}@icihub.invalid",
            first_name=spec.first_name,
            last_name=spec.last_name,
        )
        created += 1
    progress(f"  {created} demo accounts created, {len(existing)} already there")
    from . import security

    devices = 0
    for user in User.objects.filter(username__in=[u.username for u in DEMO_USERS]):
        if security.requires_2fa(user) and not security.has_2fa(user):
            security.install_device(user, demo_totp_secret())
            devices += 1
    if devices:
        progress(f"  {devices} staff demo accounts given an authenticator (demo key)")


def load_all(
    progress: Progress = print, apps: list[str] | None = None, size: str | None = None
) -> list[str]:
    """Load the demo data of every app that has a ``demo.py``, in
    ``core.reference.ORDER``, in one transaction (all or nothing). Returns the
    apps loaded. (A walk over the apps settings.ICIHUB_APPS names, by module
    name: the kernel imports no app above it.) ``size`` ("small" or "full",
    default the setting ICIHUB_DEMO_SIZE) goes to the loaders that take one."""
    import inspect
    from importlib import import_module

    from django.db import transaction

    from . import audit
    from .reference import ORDER

    size = demo_size(size)
    loaded = []
    with audit.acting(reason="demo data"), transaction.atomic():
        for app in apps or ORDER:
            try:
                module = import_module(f"icihub.{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"icihub.{app}.demo":
                    raise
                continue
            progress(f"demo data: {app}")
            if "size" in inspect.signature(module.load).parameters:
                module.load(progress, size=size)
            else:
                module.load(progress)
            loaded.append(app)
    return loaded

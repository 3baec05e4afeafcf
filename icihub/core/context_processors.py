"""Template context shared by every page."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from .access import Role, role_of
from .navigation import modules_for


def icihub(request):
    user = getattr(request, "user", None)
    role = role_of(user)
    return {
        "role": role,
        "Role": Role,
        "is_staff_role": user is not None and getattr(user, "is_staff_role", False),
        # Built when a template shows the navigation (with its badges, a count
        # each), not for the fragments htmx asks for: the template language
        # calls a callable it meets, and ``cache`` makes it once a request.
        "nav_modules": cache(lambda: modules_for(user)),
        "ICIHUB_BASE_URL": settings.ICIHUB_BASE_URL,
    }

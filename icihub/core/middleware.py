"""Request middleware of the shared kernel."""

from __future__ import annotations

from . import audit


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Every write during a request is attributed to the signed-in user and to
    the channel it came through (the web UI, the admin or the API)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith("/admin/"):
            via = audit.VIA_ADMIN
        elif path.startswith("/api/"):
            via = audit.VIA_API
        else:
            via = audit.VIA_UI
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        with audit.acting(actor, via=via, ip=client_ip(request), reason=""):
            return self.get_response(request)

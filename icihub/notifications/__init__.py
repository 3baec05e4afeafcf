"""Notifications: in-app (the bell and its list), by e-mail (sent by the
worker) or in a daily digest, as each user chooses per kind.

The apps above core call :func:`notify` from their services when a state
changes; this app imports none of them (it reads their rows through Django's
app registry), so the layering core < ... < training, dialogue < programmes
holds."""


def notify(kind: str, obj, *, recipients=None, key: str = "", params: dict | None = None) -> None:
    """Tell the recipients of ``kind`` about ``obj`` once the current
    transaction commits (at once when there is none). See
    :func:`icihub.notifications.services.notify`."""
    from . import services

    services.notify(kind, obj, recipients=recipients, key=key, params=params)

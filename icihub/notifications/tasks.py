"""Queued work of the notifications, run by the worker (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_notification(notification_id: int) -> bool:
    """E-mail one notification to its recipient (once)."""
    from .emails import send_one

    return send_one(notification_id)

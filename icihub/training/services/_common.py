"""What every room of the training services shares: the clock, after-commit hooks, transitions and the staff checks."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from icihub.core import audit
from icihub.core.access import (
    STAFF_ROLES,
    can_see,
    require_role,
)

from ..models import (
    Nomination,
)

Progress = Callable[[str], None]
S = Nomination.Status


def today() -> dt.date:
    return timezone.localdate()


def _on_commit(fn: Callable[[], object]) -> None:
    transaction.on_commit(fn, robust=True)


@contextlib.contextmanager
def without_cyclic_gc():
    """Keep Python's cyclic garbage collector out of a long job (an import, the
    reallocation): it makes tens of thousands of short-lived objects and no
    cycles to free, and the collector would walk them again and again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _transition(obj, field_name: str, before, after, reason: str = "") -> None:
    audit.record(
        audit.Action.TRANSITION,
        obj,
        {field_name: {"before": before, "after": after}},
        reason=reason,
    )


def _require_staff(actor) -> None:
    require_role(actor, *STAFF_ROLES)


def _visible_or_404(actor, obj) -> None:
    if not can_see(actor, obj):
        raise Http404(_("Not found."))

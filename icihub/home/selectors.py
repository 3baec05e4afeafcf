"""The panels of the home page, each read through the access model for the
user who asks. A panel is a function ``(user) -> dict`` giving the context its
template include needs; :func:`home_page` gathers them in order."""

from __future__ import annotations

from collections.abc import Callable

from icihub.dialogue.selectors import latest_events
from icihub.partners.selectors import initiative_at_a_glance
from icihub.programmes.selectors import home_panel as unanswered_requests_panel
from icihub.reports.selectors import home_panel as figures_panel

from .queues import work_queues


def latest_dialogue_panel(user) -> dict:
    """The five latest dialogue events the user may see."""
    return {"latest_events": latest_events(user, limit=5)}


# The panels, in the order their context is gathered (a later panel's key wins).
PANELS: list[Callable[[object], dict]] = [
    work_queues,  # what waits for the user, by their role (queues.py)
    initiative_at_a_glance,  # members, participants, accession timeline, the Centre
    latest_dialogue_panel,
    unanswered_requests_panel,  # coordinators' and staff's unanswered requests
    figures_panel,  # the latest year's headline figures
]


def home_page(user) -> dict:
    """The context of the home page for ``user`` (anonymous visitors included)."""
    context: dict = {}
    for panel in PANELS:
        context.update(panel(user))
    return context

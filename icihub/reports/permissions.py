"""Who may act on reports: the named predicates that views, the API, the
command line and the selectors ask (built on ``core/permissions.py``).

The figures themselves read through ``visible_to`` (the scope): these decide
only who may produce which report."""

from __future__ import annotations

from icihub.core.permissions import acts_for


def may_report_on(user, country) -> bool:
    """Whether ``user`` may produce ``country``'s report: staff and
    :data:`~icihub.core.access.SYSTEM` (the command line without ``--as``, the
    scheduled reports) for any country, a national coordinator for their own
    only."""
    return acts_for(user, country)

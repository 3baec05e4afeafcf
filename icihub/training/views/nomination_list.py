"""The list of nominations (staff: every country's; a coordinator: their
country's), filtered by state: where the home page's queues say "see all"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from icihub.core.listing import Filter, ListPage

from .. import permissions, selectors
from ..filters import NominationPageFilters
from ..models import Nomination
from ._common import _country_choices

NOMINATION_LIST = ListPage(
    template="training/nomination_list.html",
    results_template="training/_nomination_results.html",
    search_fields=["participant__search_text", "session__reference", "session__course__code"],
    filterset=NominationPageFilters,
    filters=[
        Filter("status", gettext_lazy("Status"), choices=Nomination.Status.choices),
        Filter("outcome", gettext_lazy("Outcome"), choices=Nomination.Outcome.choices),
        Filter(
            "certificate",
            gettext_lazy("Certificate"),
            choices=[
                ("issued", gettext_lazy("issued")),
                ("missing", gettext_lazy("not issued")),
            ],
        ),
        Filter("country", gettext_lazy("Country"), choices=_country_choices),
    ],
    # The page's ids, then their rows: PostgreSQL planned the ten-table page
    # query for about 5 ms at ten times the demo data (core.listing.IdsFirst).
    ids_first=True,
)


@login_required
def nomination_list(request):
    """Nominations the user may see, the oldest first."""
    if not permissions.nominates(request.user):
        raise PermissionDenied
    qs = selectors.nominations(request.user).order_by("nominated_at", "pk")
    return NOMINATION_LIST.render(request, qs)

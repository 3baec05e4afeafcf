from __future__ import annotations

import itertools

import pytest

_counter = itertools.count(1)


@pytest.fixture
def make_activity(db):
    """Create a menu activity directly (test set-up, not through the services)."""
    from icihub.menu.models import Activity, Area
    from icihub.partners.models import Country, Framework, Organisation

    def make(code=None, *, areas=(), frameworks=(), countries=(), provider=None, **fields):
        n = next(_counter)
        fields.setdefault("title", f"Activity {n}")
        fields.setdefault("format", Activity.Format.COURSE)
        fields.setdefault("marking", "public")
        if provider is not None and not isinstance(provider, Organisation):
            provider = Organisation.objects.get(slug=provider)
        activity = Activity.objects.create(code=code or f"T-{n:05d}", provider=provider, **fields)
        if areas:
            activity.areas.set(Area.objects.filter(code__in=areas))
        if frameworks:
            activity.eligible_frameworks.set(Framework.objects.filter(code__in=frameworks))
        if countries:
            activity.eligible_countries.set(Country.objects.filter(iso3__in=countries))
        return activity

    return make

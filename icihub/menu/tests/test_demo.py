"""The demo menu: enough realistic activities, every area and format, sources."""

from __future__ import annotations

import pytest

from icihub.core.models import Source
from icihub.menu import demo
from icihub.menu.models import Activity, Area

pytestmark = pytest.mark.django_db


def test_demo_menu():
    demo.load(lambda line: None)
    activities = Activity.objects.filter(code__startswith="PCM-")
    assert activities.count() >= 150
    assert set(activities.values_list("format", flat=True)) == set(Activity.Format.values)
    for area in Area.objects.all():
        assert area.activities.exists(), area.code
    assert activities.exclude(title_ar="").count() >= 20
    providers = set(activities.values_list("provider__slug", flat=True))
    assert {"jallc", "marcom", "nato-ici-rc", "ccdcoe"} <= providers
    frameworks = set(activities.values_list("eligible_frameworks__code", flat=True))
    assert {"ici", "md", "pfp"} <= frameworks
    sourced = activities.filter(provenance=Activity.Provenance.SOURCE)
    assert sourced.count() >= 13
    assert activities.exclude(provenance__in=["source", "demo"]).count() == 0
    texts = {s.key: " ".join(s.text.split()) for s in Source.objects.all()}
    for activity in sourced.prefetch_related("citations__source"):
        citations = list(activity.citations.all())
        assert citations, activity.code
        for c in citations:
            assert c.source.key in ("seed-001", "seed-004")
            assert " ".join(c.quote.split()) in texts[c.source.key], c.quote
    assert {c.source.key for a in sourced for c in a.citations.all()} == {"seed-001", "seed-004"}
    # Loading twice changes nothing.
    count = Activity.objects.count()
    demo.load(lambda line: None)
    assert Activity.objects.count() == count


def test_the_full_menu_counts_without_writing():
    """The full demo's menu: about 1,400 activities, about 500 open to ICI
    partners (NATO's menu around 2011), codes unique, all with an area."""
    small = demo.generated_activities()
    already = len(demo.SOURCED) + len(small)
    extra = demo.full_activities(already)
    everything = small + extra
    assert already + len(extra) == demo.FULL_SIZE == 1400
    open_to_ici = [s for s in everything if "ici" in s["frameworks"]]
    assert len(open_to_ici) + len(demo.SOURCED) == demo.FULL_ICI == 500
    codes = [s["code"] for s in everything] + [row[0] for row in demo.SOURCED]
    assert len(codes) == len(set(codes))
    assert len({s["title"] for s in extra}) == len(extra)
    assert all(s["areas"] and s["provider"] for s in extra)
    assert {s["marking"] for s in extra} >= {"public", "rel_ici", "nato"}
    # Those not open to ICI are offered to other frameworks.
    assert all(s["frameworks"] for s in extra)
    assert demo.full_activities(already) == extra  # reproducible

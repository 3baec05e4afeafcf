"""The timeline read as rows (issue 11) says what the prefetching version said.

``_reference_timeline`` below is the selector as it was before: every event a
model instance with its participants, topics and citations prefetched, the
facts grouped per item, one ``reverse`` per event; ``_reference_item`` the
API's shaping of that time, validated by pydantic against the response schema.
On the reference register plus a generated one (every marking, a country's
own events, undated events, equal titles, demo events, Arabic titles, dates
cited by public and NATO sources, events that are milestones of the Centre),
for every kind of reader and filter, the timeline, the API's answer and the
page's items are the same, in the same order."""

from __future__ import annotations

import random
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from icihub.core.access import Marking
from icihub.core.apikit import citation_out, partial_date_out, source_ref
from icihub.core.models import Citation, Source
from icihub.core.text import local
from icihub.dialogue import selectors
from icihub.dialogue.api import TimelineOut
from icihub.dialogue.models import CENTRE_SLUG, Event
from icihub.dialogue.selectors import (
    EventFilters,
    citations_prefetch,
    filter_events,
    participants_prefetch,
)
from icihub.partners.models import Country, Organisation
from icihub.testing import ApiClient, client_for

from .helpers import make_event

pytestmark = pytest.mark.django_db


# -- the timeline as it was read before ----------------------------------------------------------


class _OldItem:
    def __init__(self, kind, date, title, url, subject, attribute, countries=(), topics=(), **kw):
        self.kind, self.date, self.title, self.url = kind, date, title, url
        self.subject, self.attribute = subject, attribute
        self.countries, self.topics = list(countries), list(topics)
        self.marking = kw.get("marking", Marking.PUBLIC)
        self.label, self.note = kw.get("label", ""), kw.get("note", "")
        self.event = kw.get("event")
        self.milestone = None

    @property
    def fact(self):
        return self.subject.facts().get(self.attribute)

    @property
    def conflict(self):
        return bool(self.fact and self.fact.conflict)

    @property
    def sources(self):
        if self.kind == "event":
            citations = list(self.subject.citations.all())
        else:
            citations = self.fact.citations if self.fact else []
        sources = []
        for c in citations:
            if c.source not in sources:
                sources.append(c.source)
        return sources

    def sort_key(self):
        order = {"milestone": 0, "accession": 1, "event": 2}[self.kind]
        return (self.date.earliest, self.date.latest, order, self.title)


def _old_url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _reference_timeline(user, country="", topic=""):
    from icihub.menu.models import Area
    from icihub.partners.models import Partnership

    events_qs = filter_events(
        Event.objects.visible_to(user)
        .select_related("venue", "venue_country", "country", "milestone_of")
        .prefetch_related(participants_prefetch(user), "topics", citations_prefetch(user)),
        EventFilters(country=country, topic=topic),
    )
    country_obj = Country.objects.get(iso3=country.upper()) if country else None
    topic_obj = Area.objects.get(code=topic) if topic else None
    formats = {value: str(label) for value, label in Event.Format.choices}
    items, claimed = [], set()
    for event in events_qs:
        countries = []
        for p in event.participants.all():
            if p.country and p.country not in countries:
                countries.append(p.country)
        if event.country and event.country not in countries:
            countries.append(event.country)
        if event.venue_country and not countries:
            countries.append(event.venue_country)
        items.append(
            _OldItem(
                "event",
                event.date,
                local(event, "title"),
                event.get_absolute_url(),
                event,
                "date",
                countries,
                event.topics.all(),
                marking=event.marking,
                label=formats.get(event.format, event.format),
                note=event.date_note,
                event=event,
            )
        )
        if event.milestone_of_id and event.milestone:
            claimed.add((event.milestone_of_id, event.milestone))
    if topic_obj is None:
        accessions = (
            Partnership.objects.visible_to(user)
            .filter(framework__code="ici", status__in=["member", "former"])
            .select_related("country", "framework")
            .prefetch_related(citations_prefetch(user))
        )
        if country_obj is not None:
            accessions = accessions.filter(country=country_obj)
        for p in accessions:
            items.append(
                _OldItem(
                    "accession",
                    p.accession,
                    _("%(country)s joins the %(framework)s")
                    % {"country": local(p.country), "framework": p.framework.acronym},
                    _old_url("partners:partnership_detail", p.pk)
                    or _old_url("partners:country_detail", p.country.iso3),
                    p,
                    "accession",
                    [p.country],
                    label=_("Accession"),
                )
            )
        milestones = _reference_milestones(user, country_obj)
        by_key = {(m.subject.pk, m.attribute): m for m in milestones}
        for item in items:
            event = item.event
            if event is not None and (event.milestone_of_id, event.milestone) in by_key:
                item.milestone = by_key[(event.milestone_of_id, event.milestone)]
        items.extend(m for m in milestones if (m.subject.pk, m.attribute) not in claimed)
    dated = sorted((i for i in items if i.date), key=_OldItem.sort_key)
    undated = sorted((i for i in items if not i.date), key=lambda i: (i.kind, i.title))
    return dated, undated


def _reference_milestones(user, country):
    from icihub.core.dates import PartialDate

    centre = (
        Organisation.objects.visible_to(user)
        .filter(slug=CENTRE_SLUG)
        .select_related("country")
        .prefetch_related(citations_prefetch(user))
        .first()
    )
    if centre is None or (country is not None and centre.country_id != country.pk):
        return []
    facts = centre.facts()
    attributes = ["established"] + [
        a
        for a, fact in facts.items()
        if a != "established" and all(c.kind == Citation.Kind.DATE for c in fact.citations)
    ]
    items = []
    for attribute in attributes:
        if attribute == "established":
            date = centre.established
        else:
            try:
                date = PartialDate.parse(facts[attribute].values[0].value)
            except (ValueError, IndexError):
                date = None
        if date is None and attribute not in facts:
            continue
        label = selectors.MILESTONE_LABELS.get(attribute, attribute.replace("-", " "))
        items.append(
            _OldItem(
                "milestone",
                date,
                f"{local(centre)}: {label}",
                _old_url("partners:organisation_detail", centre.slug),
                centre,
                attribute,
                [centre.country] if centre.country else [],
                label=_("The Centre"),
            )
        )
    return items


def _reference_item(item) -> dict:
    """The API's item as it was shaped (``api._timeline_item`` before)."""
    fact = item.fact
    milestone = None
    if item.milestone is not None:
        milestone = {
            "organisation": item.milestone.subject.slug,
            "attribute": item.milestone.attribute,
            "date": partial_date_out(item.milestone.date),
            "conflict": item.milestone.conflict,
        }
    return {
        "kind": item.kind,
        "date": partial_date_out(item.date),
        "title": str(item.title),
        "label": str(item.label),
        "url": item.url,
        "event": item.event.pk if item.event is not None else None,
        "marking": item.marking,
        "countries": [c.iso3 for c in item.countries],
        "topics": [a.code for a in item.topics],
        "note": item.note,
        "conflict": item.conflict,
        "sources": [source_ref(s) for s in item.sources],
        "date_citations": [citation_out(c) for c in (fact.citations if fact else [])],
        "milestone": milestone,
    }


# -- a register to compare on ----------------------------------------------------------------------


@pytest.fixture
def register():
    """The reference register plus 80 generated events (seeded)."""
    rng = random.Random(2004)
    centre = Organisation.objects.get(slug=CENTRE_SLUG)
    nato_source = Source.objects.create(
        key="test-nato-only", title="Internal note", publisher="NATO IS", marking=Marking.NATO
    )
    public_source = Source.objects.get(key="seed-000")
    event_type = ContentType.objects.get_for_model(Event)
    markings = [Marking.PUBLIC, Marking.REL_ICI, Marking.NATO, Marking.REL_PARTNER]
    partners = ["KWT", "QAT", "ARE", "BHR"]
    for i in range(80):
        marking = rng.choice(markings)
        year = rng.randint(2005, 2026)
        date = rng.choice(
            [f"{year}", f"{year}-{rng.randint(1, 12):02d}", f"{year}-03-0{rng.randint(1, 9)}"]
        )
        if i % 17 == 0:
            date = None
        event = make_event(
            title=f"Generated {i % 30}",  # equal titles on purpose
            marking=marking,
            country="KWT" if marking == Marking.REL_PARTNER else None,
            date=date,
            fmt=rng.choice(Event.Format.values),
            participants=tuple(rng.sample(partners, rng.randint(0, 3))),
            topics=tuple(
                rng.sample(["cyber-defence", "cbrn", "counter-terrorism"], rng.randint(0, 2))
            ),
        )
        changes = {}
        if i % 5 == 0:
            changes["title_ar"] = f"فعالية {i}"
        if i % 7 == 0:
            changes["provenance"] = Event.Provenance.DEMO
        if i % 11 == 0:
            changes["venue_country"] = Country.objects.get(iso3="TUR")
        if i % 13 == 0:
            changes["date_note"] = "Sources differ."
        if i in (3, 4):
            changes.update(milestone_of=centre, milestone="established")
        if changes:
            Event.objects.filter(pk=event.pk).update(**changes)
        if i % 6 == 0 and date:
            for source, value in ((public_source, date), (nato_source, "2003")):
                Citation.objects.create(
                    content_type=event_type,
                    object_id=event.pk,
                    attribute="date",
                    kind=Citation.Kind.DATE,
                    value=value,
                    source=source,
                )
        if i % 9 == 0:
            Citation.objects.create(
                content_type=event_type,
                object_id=event.pk,
                attribute="place",
                kind=Citation.Kind.TEXT,
                value="Kuwait City",
                source=nato_source,
            )


@pytest.fixture
def readers(nato_staff, centre_staff, kwt_coordinator, qat_coordinator):
    return {
        "anonymous": AnonymousUser(),
        "nato": nato_staff,
        "centre": centre_staff,
        "kwt": kwt_coordinator,
        "qat": qat_coordinator,
    }


FILTERS = [("", ""), ("KWT", ""), ("QAT", ""), ("", "cyber-defence"), ("KWT", "cbrn")]


def _describe(item) -> dict:
    """What a reader sees of an item, old or new."""
    fact = item.fact
    milestone = item.milestone
    return {
        "kind": item.kind,
        "date": item.date.iso() if item.date else None,
        "display": item.date.display() if item.date else None,
        "title": str(item.title),
        "url": item.url,
        "event": getattr(item, "event_id", None)
        or (item.event.pk if getattr(item, "event", None) else None),
        "marking": item.marking,
        "label": str(item.label),
        "note": item.note,
        "countries": [c.iso3 for c in item.countries],
        "topics": [a.code for a in item.topics],
        "conflict": item.conflict,
        "sources": [s.key for s in item.sources],
        "date_citations": [c.pk for c in fact.citations] if fact else [],
        "milestone": None
        if milestone is None
        else (milestone.subject.pk, milestone.attribute, str(milestone.date), milestone.conflict),
    }


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_timeline_holds_the_same_items_in_the_same_order(register, readers, language):
    with translation.override(language):
        for name, user in readers.items():
            for country, topic in FILTERS:
                old_dated, old_undated = _reference_timeline(user, country, topic)
                new = selectors.timeline(user, country=country, topic=topic)
                where = (name, country, topic)
                assert [_describe(i) for i in new.dated] == [_describe(i) for i in old_dated], where
                assert [_describe(i) for i in new.undated] == [_describe(i) for i in old_undated], (
                    where
                )
    # the comparison compared something: citations, NATO-only sources and milestones
    staff = selectors.timeline(readers["nato"])
    assert any("test-nato-only" in [s.key for s in i.sources] for i in staff.dated)
    assert not any(
        "test-nato-only" in [s.key for s in i.sources]
        for i in selectors.timeline(readers["kwt"]).dated
    )
    assert sum(1 for i in staff.dated if i.milestone is not None) >= 3
    assert staff.undated and any(i.is_demo for i in staff.dated)


def test_the_api_answers_what_it_answered(register, readers):
    for name in ("anonymous", "nato", "kwt"):
        api = ApiClient(None if name == "anonymous" else readers[name])
        for country, topic in FILTERS:
            params = {k: v for k, v in (("country", country), ("topic", topic)) if v}
            body = api.get("dialogue/timeline", params).json()
            dated, undated = _reference_timeline(readers[name], country, topic)
            expected = TimelineOut.model_validate(
                {
                    "country": country or None,
                    "topic": topic or None,
                    "dated": [_reference_item(i) for i in dated],
                    "undated": [_reference_item(i) for i in undated],
                }
            ).model_dump(mode="json")
            assert body == expected, (name, country, topic)
            # and the answer, built without validation, holds to its schema
            assert TimelineOut.model_validate(body).model_dump(mode="json") == body


def test_the_api_filters_by_years(register, nato_staff):
    api = ApiClient(nato_staff)
    whole = api.get("dialogue/timeline").json()
    some = api.get("dialogue/timeline", {"year_from": 2010, "year_to": 2012}).json()
    assert some["dated"] == [
        i for i in whole["dated"] if 2010 <= int(i["date"]["value"][:4]) <= 2012
    ]
    assert some["dated"] and some["undated"] == whole["undated"]
    later = api.get("dialogue/timeline", {"year_from": 2020}).json()
    assert later["dated"] == [i for i in whole["dated"] if int(i["date"]["value"][:4]) >= 2020]
    assert api.get("dialogue/timeline", {"year_from": "twenty"}).status_code in (400, 422)


# -- the page ----------------------------------------------------------------------------------------

_ITEM = re.compile(r'<li class="tl-item[^"]*" data-kind="([a-z]+)">.*?<a href="([^"]+)">', re.S)
_EARLIER = re.compile(r'id="tl-earlier">.*?hx-get="\?([^"]+)"', re.S)


def _page_items(html: str) -> list[tuple[str, str]]:
    """(kind, link) of the dated items on a page (before the undated section)."""
    return _ITEM.findall(html.split('id="undated"')[0])


def test_the_page_shows_the_recent_years_and_the_rest_a_click_at_a_time(
    register, nato_staff, monkeypatch
):
    from icihub.dialogue import views

    monkeypatch.setattr(views, "TIMELINE_YEARS_ITEMS", 12)
    client = client_for(nato_staff)
    dated, _undated = _reference_timeline(nato_staff)
    expected = [(i.kind, i.url) for i in dated if i.url]

    # the whole history, as before, from the first year
    first = dated[0].date.year
    html = client.get(f"/dialogue/timeline/?year_from={first}").content.decode()
    assert _page_items(html) == expected
    assert 'id="tl-earlier"' not in html

    # by default the most recent years, whole, with at least 12 items
    html = client.get("/dialogue/timeline/").content.decode()
    shown = _page_items(html)
    assert len(shown) >= 12 and shown == expected[-len(shown) :]
    assert "Date not stated" in html  # the undated items are always listed
    assert "Show the whole timeline" in html

    # the "earlier" link, followed until there is none, brings back every item
    pages, params = [shown], _EARLIER.search(html)
    while params:
        chunk = client.get(
            "/dialogue/timeline/?" + params.group(1).replace("&amp;", "&"),
            headers={"HX-Request": "true", "HX-Target": "tl-earlier"},
        ).content.decode()
        assert "<html" not in chunk and "Date not stated" not in chunk
        pages.insert(0, _page_items(chunk))
        params = _EARLIER.search(chunk)
    assert [item for page in pages for item in page] == expected
    assert len(pages) > 2


def test_the_page_refuses_a_year_that_is_not_one(nato_staff):
    html = client_for(nato_staff).get("/dialogue/timeline/?year_from=20x1").content.decode()
    assert "A year has four digits" in html


# The items' markup as the template wrote it before ``dialogue_tags.timeline_items``.
_ITEMS_TEMPLATE = """{% load i18n icihub %}{% for item in items %}<li class="tl-item tl-{{ item.kind }}{% if item.conflict %} has-conflict{% endif %}" data-kind="{{ item.kind }}">
  <div class="what">{% if item.date %}<span class="when">{{ item.date|pdate }}</span>{% else %}<span class="badge warn">{% translate "date not stated" %}</span>{% endif %}
    <span class="badge kind-{{ item.kind }}">{{ item.label }}</span> {% if item.url %}<a href="{{ item.url }}">{{ item.title }}</a>{% else %}{{ item.title }}{% endif %}
    {% if item.marking != "public" %}{% marking_badge item.marking %}{% endif %}
    {% if item.is_demo %}<span class="badge demo">{% translate "demo" %}</span>{% endif %}
  </div>
  {% if item.date and item.fact %}<div class="small dated-by">{% translate "Date" %}: {% stated item.fact item.date %}</div>{% endif %}
  {% if item.note %}<div class="muted small">{{ item.note }}</div>{% endif %}
  {% if item.milestone %}<div class="small milestone">{% translate "Milestone of" %} {{ item.milestone.subject.name }}: {% stated item.milestone.fact item.milestone.date %}</div>{% endif %}
  {% if item.countries or item.topics %}<div class="small meta">
    {% if item.countries %}<span class="countries">{% for c in item.countries %}{{ c|local }}{% if not forloop.last %}, {% endif %}{% endfor %}</span>{% endif %}
    {% if item.topics %}{% if item.countries %} · {% endif %}{% for a in item.topics %}<span class="badge">{{ a|local }}</span> {% endfor %}{% endif %}
  </div>{% endif %}
  {% if item.sources %}<div class="small sources">{% translate "Sources" %}: {% for s in item.sources %}<a href="{% url 'core:source_detail' s.key %}" title="{{ s.title }}">{{ s.publisher }}{% if s.published %} ({{ s.published|pdate }}){% endif %}</a>{% if not forloop.last %}; {% endif %}{% endfor %}</div>{% elif item.kind == "event" and not item.is_demo %}<div class="small muted">{% translate "No source cited." %}</div>{% endif %}
</li>
{% endfor %}"""


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_items_are_written_as_the_template_wrote_them(register, readers, language):
    from django.template import engines

    from icihub.dialogue.templatetags.dialogue_tags import timeline_items

    template = engines["django"].from_string(_ITEMS_TEMPLATE)
    Event.objects.filter(title="Generated 1").update(title='Generated <b>"1"</b> & co')
    with translation.override(language):
        for name in ("anonymous", "nato", "kwt"):
            whole = selectors.timeline(readers[name])
            for items in (whole.dated, whole.undated):
                assert timeline_items(items) == template.render({"items": items}), name
    # what the comparison covered: events and accessions, a date's sources and its
    # conflict, a milestone, countries and topics, demo events, markings
    staff = selectors.timeline(readers["nato"]).dated
    assert {i.kind for i in staff} >= {"event", "accession"}
    assert any(i.conflict for i in staff) and any(i.milestone for i in staff)
    assert any(i.countries for i in staff) and any(i.topics for i in staff)
    assert any(i.is_demo for i in staff) and any(i.note for i in staff)
    assert {i.marking for i in staff} >= {Marking.PUBLIC, Marking.NATO}


def test_a_window_of_years_holds_what_the_whole_timeline_holds(register, readers):
    for name, user in readers.items():
        for country, topic in FILTERS:
            whole = selectors.timeline(user, country=country, topic=topic)
            for year_from, year_to, recent in (
                (None, None, 12),
                (None, None, 10_000),
                (2010, 2012, None),
                (2020, None, 12),
                (None, 2008, None),
                (2015, 2011, None),
            ):
                window = selectors.timeline(
                    user,
                    country=country,
                    topic=topic,
                    year_from=year_from,
                    year_to=year_to,
                    recent_items=recent,
                )
                start = year_from
                if start is None and recent is not None:
                    start = whole.recent_years_from(recent)
                where = (name, country, topic, year_from, year_to, recent)
                assert window.year_from == start, where
                expected = whole.between(start, year_to)
                assert [_describe(i) for i in window.dated] == [
                    _describe(i) for i in expected.dated
                ], where
                assert [_describe(i) for i in window.undated] == [
                    _describe(i) for i in whole.undated
                ], where
                assert window.dated_count == len(whole.dated), where
                assert window.first_year == whole.first_year, where
                for before in (None, 2015, 2030):
                    assert window.recent_years_from(12, before) == whole.recent_years_from(
                        12, before
                    ), where

"""Template helpers: partial dates, sourced facts, markings, history links,
query strings."""

from __future__ import annotations

from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.html import format_html

from icihub.core.access import Marking
from icihub.core.dates import PartialDate
from icihub.core.text import beside
from icihub.core.text import local as local_name

register = template.Library()


@register.filter
def pdate(value, empty="—"):
    """Show a partial date at its precision ("December 2004")."""
    if value in (None, ""):
        return empty
    if isinstance(value, PartialDate):
        return value.display()
    try:
        return PartialDate.parse(value).display()
    except ValueError:
        return value


@register.inclusion_tag("core/_marking.html")
def marking_badge(marking, country=None):
    try:
        label = Marking(marking).label
    except ValueError:
        label = marking
    return {"marking": marking, "label": label, "country": country}


@register.inclusion_tag("core/_fact.html")
def sourced(obj, attribute, shown=None):
    """A value with its sources as footnotes, and the conflict when sources disagree.
    ``obj`` must have ``citations`` prefetched (with ``citations__source``)."""
    if shown is None:
        shown = getattr(obj, attribute, "")
    return stated(obj.facts().get(attribute), shown)


@register.inclusion_tag("core/_fact.html")
def stated(fact, shown=""):
    """:func:`sourced` for a ``Fact`` at hand (``core.models.group_facts``), e.g.
    one a list's selector grouped for each of its rows."""
    if isinstance(shown, PartialDate):
        shown = shown.display()
    return {"fact": fact, "shown": shown}


@register.inclusion_tag("core/_facts_table.html")
def facts_table(obj):
    return {"facts": list(obj.facts().values())}


@register.simple_tag
def history_url(obj):
    ct = ContentType.objects.get_for_model(type(obj))
    return reverse("core:history", args=[f"{ct.app_label}.{ct.model}", obj.pk])


@register.simple_tag(takes_context=True)
def query(context, **changes):
    """The current query string with some parameters changed (None removes)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag
def yesno_icon(value):
    return format_html(
        '<span class="yn yn-{}">{}</span>', "y" if value else "n", "✓" if value else "—"
    )


@register.filter
def local(obj, field="name"):
    """A record's name in the page's language: ``{{ country|local }}``,
    ``{{ course|local:"title" }}`` (the Arabic form on Arabic pages when one is
    recorded; ``core.text.localized`` is the rule)."""
    return local_name(obj, field)


@register.filter
def arabic_beside(obj, field="name"):
    """The Arabic form of a record's name to show beside its English one, on
    English pages only (on Arabic pages ``|local`` already shows it):
    ``{% if course|arabic_beside:"title" %}<p lang="ar">…{% endif %}``."""
    if obj is None:
        return ""
    return beside(getattr(obj, f"{field}_ar", ""))

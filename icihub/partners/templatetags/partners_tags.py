"""Template helpers of the partner registry."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html

from icihub.core.text import beside
from icihub.partners.models import Partnership

register = template.Library()


@register.simple_tag
def arabic(text, tag="span", alone=False):
    """An Arabic name beside its English one, marked as right-to-left Arabic text:
    nothing when empty, nor on Arabic pages, where the name beside it is already
    Arabic (``core.text.beside``); ``alone=True`` where it is the only name shown
    (a "Name (Arabic)" line)."""
    if not alone:
        text = beside(text)
    if not text:
        return ""
    return format_html('<{} class="ar" dir="rtl" lang="ar">{}</{}>', tag, text, tag)


@register.filter
def conflicting(obj, attribute) -> bool:
    """Whether the sources of ``obj`` disagree about ``attribute`` (prefetched citations)."""
    fact = obj.facts().get(attribute)
    return bool(fact and fact.conflict)


@register.simple_tag
def record_url(obj):
    from icihub.partners.views import record_url as url

    return url(obj)


@register.simple_tag
def cite_url(obj):
    """The page where staff add a source to ``obj``."""
    return reverse("partners:citation_create", args=[obj._meta.model_name, obj.pk])


@register.simple_tag
def status_badge(partnership):
    css = {
        Partnership.Status.MEMBER: "ok",
        Partnership.Status.PARTICIPANT: "",
        Partnership.Status.PROSPECTIVE: "warn",
        Partnership.Status.FORMER: "bad",
    }.get(partnership.status, "")
    return format_html(
        '<span class="badge status-{} {}">{}</span>',
        partnership.status,
        css,
        partnership.get_status_display(),
    )


def _compatible(a: str, b: str) -> bool:
    """Two stated values can both be true: equal, or dates whose periods overlap."""
    if a == b:
        return True
    from icihub.core.dates import PartialDate

    try:
        x, y = PartialDate.parse(a), PartialDate.parse(b)
    except (ValueError, TypeError):
        return False
    if x is None or y is None:
        return False
    return not (x.latest < y.earliest or y.latest < x.earliest)


@register.inclusion_tag("partners/_fact_brief.html")
def fact_brief(obj, attribute, url=""):
    """A value with the footnotes of the sources that support it and, when other
    sources contradict it, one short line naming their values and who states them
    (the full box with the quoted passages is on the record's page)."""
    from icihub.core.dates import PartialDate

    fact = obj.facts().get(attribute)
    shown = getattr(obj, attribute, "")
    current = shown.iso() if isinstance(shown, PartialDate) else str(shown or "")
    if isinstance(shown, PartialDate):
        shown = shown.display()
    supporting, others = [], []
    if fact is not None:
        for stated in fact.values:
            if not current or _compatible(stated.value, current):
                supporting.extend(stated.citations)
            else:
                others.append(stated)
    seen, footnotes = set(), []
    for citation in supporting:
        if citation.source_id not in seen:
            seen.add(citation.source_id)
            footnotes.append(citation)
    return {"footnotes": footnotes, "shown": shown, "others": others, "url": url}

"""Template helpers of the dialogue pages.

``timeline_items`` writes the items of the timeline in Python: the page shows
a few hundred of them (and the whole history on request, two thousand at ten
times the real register), and the template engine's cost per variable, tag and
filter made the markup most of the page's time. The markup is the one
``dialogue/_timeline_items.html`` had, to the byte (the tests compare the
page's items); the few items whose date the sources state, and the marking
badges, still come from the shared templates (``stated``, ``marking_badge``)."""

from __future__ import annotations

from django import template
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from icihub.core.templatetags.icihub import local, marking_badge, pdate, stated

register = template.Library()


@register.simple_tag
def timeline_items(items) -> SafeString:
    """The ``<li>`` of each timeline item (a :class:`~icihub.dialogue.selectors.TimelineItem`)."""
    esc = conditional_escape
    fact_template = get_template("core/_fact.html")
    marking_template = get_template("core/_marking.html")
    markings: dict[str, str] = {}  # a badge per marking, written once
    source_urls: dict[str, str] = {}
    local_names: dict[int, str] = {}  # a country's or an area's name, by identity

    def names(records) -> list[str]:
        out = []
        for r in records:
            name = local_names.get(id(r))
            if name is None:
                name = local_names[id(r)] = esc(local(r))
            out.append(name)
        return out

    def fact(f, date) -> str:
        return fact_template.render(stated(f, date))

    date_not_stated = esc(_("date not stated"))
    demo = f'<span class="badge demo">{esc(_("demo"))}</span>'
    dated_by = esc(_("Date"))
    milestone_of = esc(_("Milestone of"))
    sources_label = esc(_("Sources"))
    no_source = f'<div class="small muted">{esc(_("No source cited."))}</div>'

    out = []
    for item in items:
        kind = esc(item.kind)
        date = item.date
        if date:
            when = f'<span class="when">{esc(pdate(date))}</span>'
        else:
            when = f'<span class="badge warn">{date_not_stated}</span>'
        title = esc(item.title)
        link = f'<a href="{esc(item.url)}">{title}</a>' if item.url else title
        marking = ""
        if item.marking != "public":
            marking = markings.get(item.marking)
            if marking is None:
                marking = markings[item.marking] = marking_template.render(
                    marking_badge(item.marking)
                )
        is_demo = item.is_demo
        by = ""
        if date and item.fact:
            by = f'<div class="small dated-by">{dated_by}: {fact(item.fact, date)}</div>'
        note = f'<div class="muted small">{esc(item.note)}</div>' if item.note else ""
        milestone = ""
        m = item.milestone
        if m:
            milestone = (
                f'<div class="small milestone">{milestone_of} {esc(m.subject.name)}: '
                f"{fact(m.fact, m.date)}</div>"
            )
        meta = ""
        if item.countries or item.topics:
            countries = ""
            if item.countries:
                countries = f'<span class="countries">{", ".join(names(item.countries))}</span>'
            topics = ""
            if item.topics:
                topics = (" · " if item.countries else "") + "".join(
                    f'<span class="badge">{name}</span> ' for name in names(item.topics)
                )
            meta = f'<div class="small meta">\n    {countries}\n    {topics}\n  </div>'
        sources = ""
        if item.sources:
            links = []
            for s in item.sources:
                url = source_urls.get(s.key)
                if url is None:
                    url = source_urls[s.key] = reverse("core:source_detail", args=[s.key])
                published = f" ({esc(pdate(s.published))})" if s.published else ""
                links.append(
                    f'<a href="{esc(url)}" title="{esc(s.title)}">{esc(s.publisher)}{published}</a>'
                )
            sources = f'<div class="small sources">{sources_label}: {"; ".join(links)}</div>'
        elif item.kind == "event" and not is_demo:
            sources = no_source
        out.append(
            f'<li class="tl-item tl-{kind}{" has-conflict" if item.conflict else ""}"'
            f' data-kind="{kind}">\n'
            f'  <div class="what">{when}\n'
            f'    <span class="badge kind-{kind}">{esc(item.label)}</span> {link}\n'
            f"    {marking}\n"
            f"    {demo if is_demo else ''}\n"
            "  </div>\n"
            f"  {by}\n"
            f"  {note}\n"
            f"  {milestone}\n"
            f"  {meta}\n"
            f"  {sources}\n"
            "</li>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)

"""Template helpers of the reports app: a number with its link to the records
it counts (or the suppression mark on the public page)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def figure_cell(cell, css: str = ""):
    """The number of a :class:`~icihub.reports.report.Cell`: a link to its records
    when it has some, the suppression mark when it is hidden."""
    if cell is None:
        return "–"
    if cell.suppressed:
        return format_html(
            '<span class="suppressed {}" title="{}">{}</span>', css, _hidden_title(), cell.text
        )
    if cell.url:
        return format_html(
            '<a class="figure-link {}" href="{}" data-figure="{}">{}</a>',
            css,
            cell.url,
            cell.figure.key,
            cell.text,
        )
    return format_html('<span class="{}">{}</span>', css, cell.text)


def _hidden_title() -> str:
    from django.utils.translation import gettext as _

    return _(
        "Hidden: too few people to publish, or hidden so that a small count cannot be worked out."
    )


@register.filter
def absolute(url, base):
    if not url:
        return ""
    return f"{base}{url}" if url.startswith("/") else url

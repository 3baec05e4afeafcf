"""Template helpers of the training pages.

``nomination_rows`` renders the rows of a session's nomination table in Python
(escaped with ``format_html``): a session may have hundreds of nominations and
the template engine's per-variable cost would make the page slow; this keeps it
well under the 100 ms target (see docs/benchmarks/training.md)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from icihub.training import ranks
from icihub.training.models import Nomination

register = template.Library()

PLACEHOLDER = 987654321
BADGE = {"accepted": " ok", "waitlisted": " warn", "rejected": " bad"}
EMPTY = SafeString("")


def _url_maker(name: str):
    pattern = reverse(name, args=[PLACEHOLDER])
    token = str(PLACEHOLDER)
    return lambda pk: pattern.replace(token, str(pk))


@register.simple_tag
def nomination_rows(nominations, session, offers=None):
    """The ``<tr>`` of each nomination: a checkbox when it can be decided in
    bulk, who, country, priority, status, outcome, certificate and only the
    actions that can succeed for this user and state (``offers``: the view's
    :class:`~icihub.training.views.sessions.RowOffers`; the accept buttons submit
    the table's enclosing form to the nomination's own address)."""
    detail = _url_maker("training:nomination_detail")
    accept = _url_maker("training:nomination_accept")
    certificate_url = _url_maker("training:certificate_detail")
    statuses = {k: str(v) for k, v in Nomination.Status.choices}
    outcomes = {k: str(v) for k, v in Nomination.Outcome.choices}
    labels = {
        "reallocated": _("reallocated"),
        "seat_from": _("Seat from reallocation"),
        "certificate": _("certificate"),
        "accept": _("Accept"),
        "select": _("Select %(name)s"),
    }
    selectable = offers is not None and offers.bulk
    rows = []
    for n in nominations:
        p = n.participant
        name = format_html('<a href="{}">{}</a>', detail(n.pk), f"{p.rank} {p.full_name}".strip())
        if p.name_ar:
            name += format_html(' <span class="ar" dir="rtl" lang="ar">{}</span>', p.name_ar)
        if n.substitute_for_id:
            name += format_html(
                '<div class="small muted">{}</div>',
                _("substitute for %(name)s") % {"name": n.substitute_for.participant.full_name},
            )
        status = format_html(
            '<span class="badge status-{}{}">{}</span>',
            n.status,
            BADGE.get(n.status, ""),
            statuses.get(n.status, n.status),
        )
        if n.via_reallocation:
            status += format_html(
                ' <span class="badge" title="{}">{}</span>',
                labels["seat_from"],
                labels["reallocated"],
            )
        outcome = EMPTY
        if n.outcome:
            outcome = format_html("{}", outcomes.get(n.outcome, n.outcome))
            if n.attendance_percent is not None:
                outcome += format_html(
                    ' <span class="muted small">({}%)</span>', n.attendance_percent
                )
        cert = n.issued_certificate
        if cert is not None:
            outcome += format_html(
                ' · <a href="{}">{}</a>', certificate_url(cert.pk), labels["certificate"]
            )
        actions = EMPTY
        check = EMPTY
        if offers is not None:
            offer = offers.for_row(n)
            if selectable:
                if offer.accept or offer.reject:
                    check = format_html(
                        '<input type="checkbox" name="nominations" value="{}" '
                        'data-select="{}" aria-label="{}">',
                        n.pk,
                        n.status,
                        labels["select"] % {"name": p.full_name},
                    )
                check = format_html('<td class="select">{}</td>', check)
            if offer.accept:
                actions += format_html(
                    '<button type="submit" class="small accept" formaction="{}" '
                    'data-action="accept">{}</button> ',
                    accept(n.pk),
                    labels["accept"],
                )
            if offer.more:
                actions += format_html(
                    '<a class="small" href="{}" data-action="more">{}</a>', detail(n.pk), offer.more
                )
        elif selectable:
            check = format_html('<td class="select"></td>')
        rows.append(
            (n.pk, n.status, check, name, n.country.iso3, n.priority, status, outcome, actions)
        )
    if not rows:
        return format_html(
            '<tr><td colspan="{}" class="muted">{}</td></tr>',
            7 if selectable else 6,
            _("No nominations you may see."),
        )
    return format_html_join(
        "\n",
        '<tr data-nomination="{}" data-status="{}">{}<td>{}</td><td>{}</td><td class="num">{}</td>'
        '<td>{}</td><td>{}</td><td class="row-actions">{}</td></tr>',
        rows,
    )


@register.filter
def rank_name(person) -> str:
    """A participant's rank in the page's language (the rank table's usual name
    of it), or as written when the table does not know it."""
    if not person.rank:
        return ""
    return ranks.in_language(person.rank, person.service, get_language() or "en")

"""Template helpers of the training pages.

``nomination_rows`` renders the rows of a session's nomination table in Python
(every value escaped, as ``format_html`` would): a session may have hundreds of
nominations and the template engine's per-variable cost would make the page
slow; this keeps it well under the 100 ms target (see docs/benchmarks/training.md)."""

from __future__ import annotations

from html import escape as esc

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from icihub.core.viewkit import url_maker
from icihub.training import ranks
from icihub.training.models import Nomination

register = template.Library()

BADGE = {"accepted": " ok", "waitlisted": " warn", "rejected": " bad"}


@register.simple_tag
def nomination_rows(nominations, session, offers=None):
    """The ``<tr>`` of each nomination: a checkbox when it can be decided in
    bulk, who, country, priority, status, outcome, certificate and only the
    actions that can succeed for this user and state (``offers``: the view's
    :class:`~icihub.training.views.sessions.RowOffers`; the accept buttons submit
    the table's enclosing form to the nomination's own address).

    Every value is escaped with the standard library's ``html.escape`` (what
    Django's ``escape`` calls) and the rows are built as plain strings, marked
    safe once: ``format_html`` per cell cost about 30 ms for 500 rows at 10×."""
    detail = url_maker("training:nomination_detail")
    accept = url_maker("training:nomination_accept")
    certificate_url = url_maker("training:certificate_detail")
    statuses = {k: esc(str(v)) for k, v in Nomination.Status.choices}
    outcomes = {k: esc(str(v)) for k, v in Nomination.Outcome.choices}
    reallocated = (
        f' <span class="badge" title="{esc(_("Seat from reallocation"))}">'
        f"{esc(_('reallocated'))}</span>"
    )
    certificate = esc(_("certificate"))
    accept_label = esc(_("Accept"))
    select = _("Select %(name)s")
    selectable = offers is not None and offers.bulk
    rows = []
    for n in nominations:
        p = n.participant
        pk, st = n.pk, esc(n.status)
        name = f'<a href="{esc(detail(pk))}">{esc(f"{p.rank} {p.full_name}".strip())}</a>'
        if p.name_ar:
            name += f' <span class="ar" dir="rtl" lang="ar">{esc(p.name_ar)}</span>'
        if n.substitute_for_id:
            name += '<div class="small muted">{}</div>'.format(
                esc(_("substitute for %(name)s") % {"name": n.substitute_for.participant.full_name})
            )
        status = (
            f'<span class="badge status-{st}{BADGE.get(n.status, "")}">'
            f"{statuses.get(n.status) or st}</span>"
        )
        if n.via_reallocation:
            status += reallocated
        outcome = ""
        if n.outcome:
            outcome = outcomes.get(n.outcome) or esc(n.outcome)
            if n.attendance_percent is not None:
                outcome += f' <span class="muted small">({esc(str(n.attendance_percent))}%)</span>'
        cert = n.issued_certificate
        if cert is not None:
            outcome += f' · <a href="{esc(certificate_url(cert.pk))}">{certificate}</a>'
        actions = check = ""
        if offers is not None:
            offer = offers.for_row(n)
            if selectable:
                if offer.accept or offer.reject:
                    check = (
                        f'<input type="checkbox" name="nominations" value="{pk}" '
                        f'data-select="{st}" '
                        f'aria-label="{esc(select % {"name": p.full_name})}">'
                    )
                check = f'<td class="select">{check}</td>'
            if offer.accept:
                actions += (
                    f'<button type="submit" class="small accept" formaction="{esc(accept(pk))}" '
                    f'data-action="accept">{accept_label}</button> '
                )
            if offer.more:
                actions += (
                    f'<a class="small" href="{esc(detail(pk))}" data-action="more">'
                    f"{esc(offer.more)}</a>"
                )
        elif selectable:
            check = '<td class="select"></td>'
        rows.append(
            f'<tr data-nomination="{pk}" data-status="{st}">{check}<td>{name}</td>'
            f'<td>{esc(n.country.iso3)}</td><td class="num">{esc(str(n.priority))}</td>'
            f'<td>{status}</td><td>{outcome}</td><td class="row-actions">{actions}</td></tr>'
        )
    if not rows:
        return format_html(
            '<tr><td colspan="{}" class="muted">{}</td></tr>',
            7 if selectable else 6,
            _("No nominations you may see."),
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (every value above is escaped)


@register.filter
def rank_name(person) -> str:
    """A participant's rank in the page's language (the rank table's usual name
    of it), or as written when the table does not know it."""
    if not person.rank:
        return ""
    return ranks.in_language(person.rank, person.service, get_language() or "en")

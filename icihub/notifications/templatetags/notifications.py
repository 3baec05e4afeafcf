from django import template

from ..selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context):
    """The header's bell: the signed-in user's unread count (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"unread": unread_count(user) if user is not None else 0}


@register.filter
def as_row(notification) -> dict:
    """A notification's sentence, detail and link in the active language."""
    from ..views import rows

    return rows([notification])[0]

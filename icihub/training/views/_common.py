"""What the training pages share: running a service with messages, choice lists."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError

from icihub.core.access import (
    policy_for,
)
from icihub.core.errors import Conflict
from icihub.core.permissions import country_choices
from icihub.core.text import local
from icihub.menu.models import Area
from icihub.partners.models import Country

from ..models import (
    Participant,
    Session,
)

# -- helpers ------------------------------------------------------------------------------


def _act(request, call, success: str) -> bool:
    """Run a service call for a POST action; report its outcome as a message."""
    try:
        call()
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return False
    except Conflict as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True


def _can_create(user, model) -> bool:
    return policy_for(model).can_create(user)


def _area_choices(request):
    return [(a.code, local(a)) for a in Area.objects.order_by("position", "name")]


def _country_choices(request):
    countries = country_choices(
        request.user,
        Country.objects.filter(
            pk__in=Participant.objects.visible_to(request.user).values("country_id")
        ),
    )
    return sorted(((c.iso3, local(c)) for c in countries), key=lambda pair: pair[1])


def _year_choices(request):
    years = Session.objects.visible_to(request.user).dates("start", "year", order="DESC")
    return [(str(d.year), str(d.year)) for d in years]

"""``core.viewkit.url_maker`` and ``pk_url``: a row's address made from one
``reverse`` is the address ``reverse`` gives, under the script prefix and the
URL configuration in force when it is asked (not those of its first use)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, path, reverse, set_script_prefix

from icihub.core.viewkit import pk_url, url_maker
from icihub.dialogue.models import Event
from icihub.menu.models import Activity
from icihub.programmes.models import PartnerRequest, Programme

urlpatterns = [path("elsewhere/<int:pk>/", lambda request, pk: None, name="moved")]


def test_a_made_address_is_reverses_address():
    make = url_maker("dialogue:event_detail")
    for pk in (1, 42, 9081726354, 10**12):
        assert make(pk) == reverse("dialogue:event_detail", args=[pk])


def test_the_models_addresses_are_reverses():
    made = {m: m.get_absolute_url.pattern for m in apps.get_models() if _pk_url(m)}
    assert {Activity, Event, Programme, PartnerRequest} <= set(made)
    for model, name in made.items():
        for pk in (1, 7, 123456):
            assert model(pk=pk).get_absolute_url() == reverse(name, args=[pk])


def _pk_url(model) -> bool:
    return hasattr(getattr(model, "get_absolute_url", None), "pattern")


def test_the_script_prefix_in_force_is_used():
    event = Event(pk=5)
    plain = event.get_absolute_url()
    set_script_prefix("/icihub/")
    try:
        assert event.get_absolute_url() == "/icihub" + plain
        assert event.get_absolute_url() == reverse("dialogue:event_detail", args=[5])
    finally:
        clear_script_prefix()
    assert event.get_absolute_url() == plain


def test_the_url_configuration_in_force_is_used():
    moved = pk_url("moved")
    event = Event(pk=3)
    assert event.get_absolute_url() == "/dialogue/events/3/"  # made and kept
    with override_settings(ROOT_URLCONF=__name__):
        assert moved(event) == "/elsewhere/3/"
        with pytest.raises(NoReverseMatch):  # not the kept one: this configuration has none
            event.get_absolute_url()
    assert event.get_absolute_url() == "/dialogue/events/3/"

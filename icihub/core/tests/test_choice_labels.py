"""``get_<field>_display()`` from each field's choices built once
(``core.models.ChoiceLabels``): the same labels as Django's own, in the
request's language, for every model with choices."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.models import Model
from django.utils import translation

from icihub.core.models import ChoiceLabels, User
from icihub.dialogue.models import Event


def _fields_with_choices():
    for model in apps.get_models():
        if not issubclass(model, ChoiceLabels):
            continue
        for field in model._meta.concrete_fields:
            if field.choices and isinstance(field.choices, list | tuple):
                yield model, field


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_label_is_djangos_own(language):
    """Every value of every field with choices, and one that is none of them,
    labelled as Django labels it (its own ``_get_FIELD_display``)."""
    checked = 0
    with translation.override(language):
        for model, field in _fields_with_choices():
            for value in [key for key, _label in field.flatchoices] + ["not-a-choice"]:
                instance = model(**{field.attname: value})
                ours = getattr(instance, f"get_{field.name}_display")()
                djangos = Model._get_FIELD_display(instance, field)
                assert ours == djangos, (model.__name__, field.name, value)
                assert type(ours) is type(djangos)
                checked += 1
    assert checked > 100


def test_labels_follow_the_language():
    event = Event(format=Event.Format.SUMMIT)
    with translation.override("en"):
        assert event.get_format_display() == "Summit"
    with translation.override("ar"):
        assert event.get_format_display() == "قمة"
    assert User(role="nato_staff").get_role_display() != "nato_staff"

"""The kernel's country look-up (core.countries): the model is the one the
setting names, and a code finds its country whichever ISO form or case."""

import pytest
from django.test import override_settings

from icihub.core import countries
from icihub.core.models import User

pytestmark = pytest.mark.django_db


def test_the_country_model_is_the_one_user_country_points_at():
    model = countries.country_model()
    assert model._meta.label == "partners.Country"
    assert User._meta.get_field("country").related_model is model


@pytest.mark.parametrize("code", ["KWT", "kwt", "KW", " kw "])
def test_a_code_finds_its_country_in_either_iso_form(code):
    assert countries.by_code(code).iso3 == "KWT"


def test_no_code_is_no_country_and_an_unknown_code_raises():
    assert countries.by_code("") is None
    assert countries.by_code(None) is None
    with pytest.raises(countries.country_model().DoesNotExist):
        countries.by_code("XYZ")


@override_settings(ICIHUB_COUNTRY_MODEL="core.Source")
def test_the_setting_names_the_model():
    assert countries.country_model()._meta.label == "core.Source"

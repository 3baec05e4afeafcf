import datetime as dt

import pytest

from icihub.core.dates import DAY, MONTH, RANGE, YEAR, PartialDate


@pytest.mark.parametrize(
    "text,iso,precision,display",
    [
        ("2004", "2004", YEAR, "2004"),
        ("2004-12", "2004-12", MONTH, "December 2004"),
        ("2017-01-24", "2017-01-24", DAY, "24 January 2017"),
        ("December 2004", "2004-12", MONTH, "December 2004"),
        ("24 January 2017", "2017-01-24", DAY, "24 January 2017"),
        ("January 24, 2017", "2017-01-24", DAY, "24 January 2017"),
        ("Q1 2005", "2005-01/2005-03", RANGE, "January–March 2005"),
        ("2018-01-22/2018-01-23", "2018-01-22/2018-01-23", RANGE, "22–23 January 2018"),
        ("2009/2014", "2009/2014", RANGE, "2009 – 2014"),
    ],
)
def test_parse_and_display_keep_the_precision(text, iso, precision, display):
    value = PartialDate.parse(text)
    assert value.iso() == iso
    assert value.precision == precision
    assert value.display() == display


def test_month_precision_is_never_padded_to_a_day():
    value = PartialDate.parse("2004-12")
    assert value.earliest == dt.date(2004, 12, 1)
    assert value.latest == dt.date(2004, 12, 31)
    assert "1" not in value.display().split()[0]  # "December 2004", not "1 December 2004"


@pytest.mark.parametrize(
    "bad",
    [
        "2004-13",
        "2005-02-30",
        "12/2004",
        "Decembre 2004",
        "2005-03/2005-01",
        "2005/2005-02",
        "1066",
    ],
)
def test_invalid_dates_are_refused(bad):
    with pytest.raises(ValueError):
        PartialDate.parse(bad)


def test_canonical_strings_sort_chronologically():
    values = ["2005-02", "2004-12", "2005", "2004", "2005-01/2005-03", "2004-12-16"]
    assert sorted(values) == ["2004", "2004-12", "2004-12-16", "2005", "2005-01/2005-03", "2005-02"]


def test_ordering_compares_periods():
    assert PartialDate.parse("2004-12") < PartialDate.parse("2005-01/2005-03")
    assert PartialDate.parse("2017-01-23") < PartialDate.parse("2017-01-24")


def test_the_form_field_cleans_words_and_codes_to_a_partial_date():
    # (its length validator once measured the PartialDate itself: a TypeError,
    # so every form with a partial date, the admin's too, answered 500)
    from django.core.exceptions import ValidationError

    from icihub.core.dates import PartialDateFormField

    field = PartialDateFormField(required=False)
    assert field.clean("December 2004") == PartialDate.parse("2004-12")
    assert field.clean("2017-01-24").precision == DAY
    assert field.clean("") is None
    with pytest.raises(ValidationError):
        field.clean("2005-13")
    assert field.clean("2018-01-22/2018-01-23").precision == RANGE


def test_the_form_field_cleans_to_a_partial_date():
    from django import forms

    from icihub.core.dates import PartialDateFormField

    class F(forms.Form):
        when = PartialDateFormField(required=False)

    form = F({"when": "December 2004"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"].iso() == "2004-12"
    bad = F({"when": "2004-13"})
    assert not bad.is_valid()
    assert "when" in bad.errors
    empty = F({"when": ""})
    assert empty.is_valid() and empty.cleaned_data["when"] is None

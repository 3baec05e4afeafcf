"""icihub calendar --year 2027."""

from __future__ import annotations

import json

import pytest

from icihub.gulf import services
from icihub.testing import run_cli


@pytest.mark.django_db
def test_the_command_prints_the_blocks_of_the_year(centre_staff):
    services.set_islamic_date(centre_staff, hijri_year=1448, event="eid_al_fitr", confirmed=True)
    result = run_cli("calendar", "--year", "2027")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "Gulf calendar 2027. Working week: Sun, Mon, Tue, Wed, Thu."
    ramadan = next(line for line in lines if " ramadan " in line)
    assert ramadan.startswith("2027-02-08  2027-03-08") and ramadan.endswith("estimated")
    fitr = next(line for line in lines if " eid_al_fitr " in line)
    assert fitr.startswith("2027-03-09  2027-03-11") and not fitr.endswith("estimated")
    assert any("2027-02-26" in line and "Liberation Day" in line for line in lines)


@pytest.mark.django_db
def test_the_command_prints_json():
    result = run_cli("calendar", "--year", "2027", "--json")
    body = json.loads(result.out)
    assert body["year"] == 2027
    assert {"kind": "ramadan", "start": "2027-02-08"}.items() <= next(
        b for b in body["blocks"] if b["kind"] == "ramadan"
    ).items()


@pytest.mark.django_db
def test_a_year_out_of_range_fails_with_a_message():
    result = run_cli("calendar", "--year", "1800")
    assert result.code != 0
    assert "The year must be from 1925 to 2076" in result.err

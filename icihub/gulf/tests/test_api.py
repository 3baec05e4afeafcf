"""The Gulf calendar's REST API: the year's blocks and the check of dates (public),
the Islamic dates and the closures (staff write)."""

from __future__ import annotations

import pytest

from icihub.gulf.models import Closure, IslamicDate
from icihub.testing import ApiClient, assert_constant_queries


def fields_of(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


@pytest.mark.django_db
def test_the_year_is_public():
    response = ApiClient().get("gulf/years/2027")
    assert response.status_code == 200
    body = response.json()
    assert body["working_days"] == [0, 1, 2, 3, 6]
    ramadan = next(b for b in body["blocks"] if b["kind"] == "ramadan")
    assert (ramadan["start"], ramadan["end"], ramadan["estimated"]) == (
        "2027-02-08",
        "2027-03-08",
        True,
    )
    national = [b for b in body["blocks"] if b["start"] == "2027-02-25"]
    assert national and national[0]["countries"] == ["KWT"]


@pytest.mark.django_db
def test_a_year_out_of_range_is_a_field_error():
    response = ApiClient().get("gulf/years/1800")
    assert response.status_code == 422
    assert response.json()["errors"]


@pytest.mark.django_db
def test_the_problems_of_dates():
    response = ApiClient().get("gulf/problems", {"start": "2027-02-21", "end": "2027-02-25"})
    assert response.status_code == 200
    body = response.json()
    assert any(p.startswith("Overlaps Ramadan") for p in body["problems"])
    assert {b["kind"] for b in body["blocks"]} >= {"ramadan", "holiday"}
    response = ApiClient().get("gulf/problems", {"start": "2027-04-04", "end": "2027-04-08"})
    assert response.json()["problems"] == []


@pytest.mark.django_db
def test_problems_with_the_end_before_the_start_is_a_field_error():
    response = ApiClient().get("gulf/problems", {"start": "2027-02-21", "end": "2027-02-20"})
    assert response.status_code == 400
    assert fields_of(response) == {"end"}


@pytest.mark.django_db
def test_staff_shift_and_confirm_an_islamic_date(centre_staff):
    api = ApiClient(centre_staff)
    response = api.put(
        "gulf/islamic/1448/ramadan", {"shift_days": 1, "confirmed": False, "reason": "moon"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["umm_al_qura_start"], body["start"], body["shift_days"]) == (
        "2027-02-08",
        "2027-02-09",
        1,
    )
    listed = ApiClient().get("gulf/years/2027/islamic").json()
    assert next(i for i in listed if i["event"] == "ramadan")["start"] == "2027-02-09"
    blocks = ApiClient().get("gulf/years/2027").json()["blocks"]
    assert next(b for b in blocks if b["kind"] == "ramadan")["start"] == "2027-02-09"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("gulf/islamic/1448/ramadan", {"shift_days": 2}, 422, None),
        ("gulf/islamic/1700/ramadan", {"shift_days": 1}, 422, "hijri_year"),
        ("gulf/islamic/1448/ashura", {"shift_days": 1}, 422, None),
    ],
)
def test_bad_islamic_input_is_refused(centre_staff, path, body, status, field):
    response = ApiClient(centre_staff).put(path, body)
    assert response.status_code == status
    if field:
        assert field in fields_of(response)
    assert not IslamicDate.objects.exists()


@pytest.mark.django_db
def test_coordinators_and_visitors_cannot_write(kwt_coordinator):
    assert ApiClient(kwt_coordinator).put("gulf/islamic/1448/ramadan", {}).status_code == 403
    assert ApiClient().put("gulf/islamic/1448/ramadan", {}).status_code == 401
    closure = {"name": "X", "start": "2027-08-01", "end": "2027-08-01"}
    assert ApiClient(kwt_coordinator).post("gulf/closures", closure).status_code == 403
    assert ApiClient().post("gulf/closures", closure).status_code == 401
    assert not IslamicDate.objects.exists() and not Closure.objects.exists()


@pytest.mark.django_db
def test_closures_crud(nato_staff, kwt_coordinator):
    api = ApiClient(nato_staff)
    response = api.post(
        "gulf/closures", {"name": "NATO summer break", "start": "2027-07-25", "end": "2027-08-26"}
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["hard"] is True
    assert ApiClient().get(f"gulf/closures/{pk}").json()["name"] == "NATO summer break"
    assert ApiClient().get("gulf/closures").json()["count"] == 1
    blocks = ApiClient().get("gulf/years/2027").json()["blocks"]
    assert any(b["kind"] == "closure" and b["closure_id"] == pk for b in blocks)

    response = api.patch(f"gulf/closures/{pk}", {"end": "2027-08-19", "hard": False})
    assert response.status_code == 200
    assert (response.json()["end"], response.json()["hard"]) == ("2027-08-19", False)
    assert ApiClient(kwt_coordinator).delete(f"gulf/closures/{pk}").status_code == 403
    assert api.delete(f"gulf/closures/{pk}").status_code == 204
    assert ApiClient().get(f"gulf/closures/{pk}").status_code == 404


@pytest.mark.django_db
def test_a_closure_ending_before_it_starts_is_a_field_error(centre_staff):
    api = ApiClient(centre_staff)
    response = api.post(
        "gulf/closures", {"name": "Bad", "start": "2027-08-02", "end": "2027-08-01"}
    )
    assert response.status_code == 400
    assert fields_of(response) == {"end"}
    assert not Closure.objects.exists()
    good = api.post("gulf/closures", {"name": "Ok", "start": "2027-08-02", "end": "2027-08-03"})
    pk = good.json()["id"]
    response = api.patch(f"gulf/closures/{pk}", {"start": "2027-09-01"})
    assert response.status_code == 400 and fields_of(response) == {"end"}
    assert str(Closure.objects.get(pk=pk).start) == "2027-08-02"


@pytest.mark.django_db
def test_the_closure_list_has_no_n_plus_one(centre_staff):
    api = ApiClient(centre_staff)
    days = iter(range(1, 30))

    def grow():
        n = next(days)
        api.post(
            "gulf/closures",
            {"name": f"C{n}", "start": f"2027-07-{n:02d}", "end": f"2027-07-{n:02d}"},
        )

    grow()
    assert_constant_queries(lambda: ApiClient().get("gulf/closures"), grow, rounds=2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("0001-01-01", "0001-01-05", "start"),
        ("2027-01-01", "9999-12-31", "end"),
        ("2027-01-01", "2028-06-01", "end"),
    ],
)
def test_problems_of_out_of_range_or_too_long_spans_are_field_errors(start, end, field):
    response = ApiClient().get("gulf/problems", {"start": start, "end": end})
    assert response.status_code == 400
    assert field in fields_of(response)

"""The plan's inputs kept outside any plan: the Centre's rooms and the
instructors' unavailable periods, through the services, the API, the pages
and the command line (issue 10: "Everything is available in the REST API and
the CLI")."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from icihub.core.models import AuditEntry
from icihub.partners.models import Country, Organisation
from icihub.planning import services
from icihub.planning.models import Room, Unavailability
from icihub.testing import ApiClient, assert_constant_queries, client_for, run_cli
from icihub.training import services as training

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def teachers(centre_staff, instructor_user):
    school = Organisation.objects.get(slug="nato-school")
    ita = Country.objects.get(iso3="ITA")
    anna = training.create_instructor(
        centre_staff,
        {"full_name": "Anna Berg", "organisation": school, "country": ita, "user": instructor_user},
    )
    bruno = training.create_instructor(
        centre_staff, {"full_name": "Bruno Costa", "organisation": school, "country": ita}
    )
    return anna, bruno


def _period(actor, instructor, start=D(2027, 3, 1), end=D(2027, 3, 20), reason="Exercise"):
    return services.create_unavailability(
        actor, {"instructor": instructor, "start": start, "end": end, "reason": reason}
    )


def _audited(obj) -> set[str]:
    return set(
        AuditEntry.objects.filter(
            content_type__model=obj._meta.model_name, object_id=str(obj.pk)
        ).values_list("action", flat=True)
    )


# -- services ---------------------------------------------------------------------------------


def test_room_create_update_delete_is_audited(centre_staff):
    room = services.create_room(centre_staff, {"name": "Hall", "capacity": 2})
    services.update_room(centre_staff, room, {"capacity": 3}, reason="new chairs")
    room.refresh_from_db()
    assert room.capacity == 3
    pk = room.pk
    services.delete_room(centre_staff, room)
    assert not Room.objects.filter(pk=pk).exists()
    room.pk = pk
    assert len(_audited(room)) == 3  # created, changed, deleted


def test_room_bad_input_is_a_field_error_and_changes_nothing(centre_staff):
    services.create_room(centre_staff, {"name": "Hall", "capacity": 1})
    other = services.create_room(centre_staff, {"name": "Annex", "capacity": 1})
    for data, field in (
        ({"capacity": 0}, "capacity"),
        ({"capacity": -2}, "capacity"),
        ({"capacity": 40000}, "capacity"),
        ({"name": ""}, "name"),
        ({"name": "Hall"}, "name"),  # taken
        ({"colour": "red"}, "colour"),
    ):
        with pytest.raises(ValidationError) as caught:
            services.update_room(centre_staff, Room.objects.get(pk=other.pk), data)
        assert field in caught.value.message_dict, data
    other.refresh_from_db()
    assert (other.name, other.capacity) == ("Annex", 1)


def test_only_staff_write_rooms(kwt_coordinator, instructor_user, centre_staff):
    for user in (kwt_coordinator, instructor_user):
        with pytest.raises(PermissionDenied):
            services.create_room(user, {"name": "Mine", "capacity": 0})  # 403 before 400
    room = services.create_room(centre_staff, {"name": "Hall"})
    with pytest.raises(Http404):  # a room they do not see
        services.update_room(kwt_coordinator, room, {"capacity": 2})
    assert not Room.objects.filter(name="Mine").exists()


def test_unavailability_update_delete_is_audited(centre_staff, teachers):
    anna, bruno = teachers
    period = _period(centre_staff, anna)
    services.update_unavailability(
        centre_staff, period, {"instructor": bruno.pk, "end": D(2027, 3, 25)}
    )
    period.refresh_from_db()
    assert (period.instructor_id, period.end) == (bruno.pk, D(2027, 3, 25))
    pk = period.pk
    services.delete_unavailability(centre_staff, period)
    assert not Unavailability.objects.filter(pk=pk).exists()
    period.pk = pk
    assert len(_audited(period)) == 3


def test_a_period_ending_before_it_starts_is_an_error_of_its_end(centre_staff, teachers):
    anna, _bruno = teachers
    with pytest.raises(ValidationError) as caught:
        _period(centre_staff, anna, start=D(2027, 3, 10), end=D(2027, 3, 1))
    assert set(caught.value.message_dict) == {"end"}
    period = _period(centre_staff, anna)
    with pytest.raises(ValidationError) as caught:
        services.update_unavailability(centre_staff, period, {"end": D(2027, 2, 1)})
    assert set(caught.value.message_dict) == {"end"}
    period.refresh_from_db()
    assert period.end == D(2027, 3, 20)


def test_an_unknown_instructor_is_an_error_of_the_instructor(centre_staff):
    with pytest.raises(ValidationError) as caught:
        services.create_unavailability(
            centre_staff, {"instructor": 999999, "start": D(2027, 1, 1), "end": D(2027, 1, 2)}
        )
    assert set(caught.value.message_dict) == {"instructor"}


def test_an_instructor_reads_but_does_not_write_their_own_periods(
    centre_staff, teachers, instructor_user
):
    anna, bruno = teachers
    own = _period(centre_staff, anna)
    _period(centre_staff, bruno, reason="Bruno's leave")
    from icihub.planning import selectors

    assert list(selectors.unavailability_for(instructor_user)) == [own]
    with pytest.raises(PermissionDenied):
        services.update_unavailability(instructor_user, own, {"reason": "mine"})
    with pytest.raises(PermissionDenied):
        services.create_unavailability(
            instructor_user, {"instructor": anna.pk, "start": D(2027, 1, 1), "end": D(2027, 1, 2)}
        )
    with pytest.raises(PermissionDenied):
        services.delete_unavailability(instructor_user, own)


# -- API --------------------------------------------------------------------------------------


def test_api_rooms_list_create_get_patch_delete(centre_staff):
    api = ApiClient(centre_staff)
    r = api.post("planning/rooms", {"name": "Hall", "capacity": 2})
    assert r.status_code == 201, r.content
    room = r.json()
    assert api.get(f"planning/rooms/{room['id']}").json() == room
    body = api.get("planning/rooms").json()
    assert body["count"] == 1 and body["items"] == [room]
    r = api.patch(f"planning/rooms/{room['id']}", {"capacity": 3, "reason": "new chairs"})
    assert r.status_code == 200 and r.json()["capacity"] == 3
    assert api.delete(f"planning/rooms/{room['id']}").status_code == 204
    assert api.get(f"planning/rooms/{room['id']}").status_code == 404


def test_api_rooms_bad_input_names_the_field_and_changes_nothing(centre_staff):
    api = ApiClient(centre_staff)
    room = api.post("planning/rooms", {"name": "Hall"}).json()
    api.post("planning/rooms", {"name": "Annex"})
    for payload, status, field in (
        ({"capacity": 0}, 422, "capacity"),
        ({"capacity": 40000}, 422, "capacity"),
        ({"name": ""}, 422, "name"),
        ({"name": "Annex"}, 400, "name"),
    ):
        r = api.patch(f"planning/rooms/{room['id']}", payload)
        assert r.status_code == status, (payload, r.content)
        assert field in {e["field"] for e in r.json()["errors"]}, (payload, r.json())
    r = api.post("planning/rooms", {"name": "Hall"})
    assert r.status_code == 400 and {e["field"] for e in r.json()["errors"]} == {"name"}
    assert api.get(f"planning/rooms/{room['id']}").json() == room
    assert Room.objects.count() == 2


def test_api_unavailability_and_its_filter(centre_staff, teachers, instructor_user):
    anna, bruno = teachers
    api = ApiClient(centre_staff)
    r = api.post(
        "planning/unavailability",
        {"instructor": anna.pk, "start": "2027-03-01", "end": "2027-03-20", "reason": "Exercise"},
    )
    assert r.status_code == 201, r.content
    period = r.json()
    assert period["instructor_name"] == "Anna Berg" and period["reason"] == "Exercise"
    api.post(
        "planning/unavailability",
        {"instructor": bruno.pk, "start": "2027-05-01", "end": "2027-05-02"},
    )
    assert api.get("planning/unavailability").json()["count"] == 2
    only = api.get("planning/unavailability", {"instructor": anna.pk}).json()
    assert only["count"] == 1 and only["items"] == [period]
    r = api.patch(
        f"planning/unavailability/{period['id']}", {"end": "2027-03-25", "audit_reason": "longer"}
    )
    assert r.status_code == 200 and r.json()["end"] == "2027-03-25"
    # the instructor reads their own period, not Bruno's, and writes none
    mine = ApiClient(instructor_user)
    body = mine.get("planning/unavailability").json()
    assert [p["id"] for p in body["items"]] == [period["id"]]
    assert mine.patch(f"planning/unavailability/{period['id']}", {"reason": "x"}).status_code == 403
    bruno_period = Unavailability.objects.get(instructor=bruno)
    assert mine.get(f"planning/unavailability/{bruno_period.pk}").status_code == 404
    assert api.delete(f"planning/unavailability/{period['id']}").status_code == 204
    assert not Unavailability.objects.filter(pk=period["id"]).exists()


def test_api_unavailability_bad_input_names_the_field_and_changes_nothing(centre_staff, teachers):
    anna, _bruno = teachers
    api = ApiClient(centre_staff)
    period = _period(centre_staff, anna)
    url = f"planning/unavailability/{period.pk}"
    before = api.get(url).json()
    for payload, status, field in (
        ({"end": "2027-02-01"}, 400, "end"),
        ({"start": "soon"}, 422, "start"),
        ({"instructor": 999999}, 400, "instructor"),
        ({"instructor": 0}, 422, "instructor"),
        ({"reason": "x" * 201}, 422, "reason"),
    ):
        r = api.patch(url, payload)
        assert r.status_code == status, (payload, r.content)
        assert {e["field"] for e in r.json()["errors"]} == {field}, (payload, r.json())
    r = api.post(
        "planning/unavailability",
        {"instructor": anna.pk, "start": "2027-04-10", "end": "2027-04-01"},
    )
    assert r.status_code == 400 and {e["field"] for e in r.json()["errors"]} == {"end"}
    assert api.get(url).json() == before
    assert Unavailability.objects.count() == 1


def test_api_lists_run_constant_queries(centre_staff, teachers):
    anna, bruno = teachers
    api = ApiClient(centre_staff)
    n = iter(range(1, 100))

    def grow():
        k = next(n)
        services.create_room(centre_staff, {"name": f"Room {k}"})
        for who in (anna, bruno):
            _period(centre_staff, who, start=D(2027, 1, k), end=D(2027, 1, k + 1))

    grow()
    assert_constant_queries(lambda: api.get("planning/rooms"), grow)
    assert_constant_queries(lambda: api.get("planning/unavailability"), grow)


# -- pages ------------------------------------------------------------------------------------


def test_staff_add_edit_and_delete_rooms_and_periods_on_the_page(centre_staff, teachers):
    anna, _bruno = teachers
    client = client_for(centre_staff)
    page = client.get(reverse("planning:plan_list")).content.decode()
    assert reverse("planning:resources") in page
    url = reverse("planning:resources")
    page = client.get(url).content.decode()
    assert 'id="add-room"' in page and 'id="add-unavailability"' in page
    r = client.post(reverse("planning:room_create"), {"name": "Hall", "capacity": "2"})
    assert r.status_code == 302
    room = Room.objects.get(name="Hall")
    r = client.post(
        reverse("planning:unavailability_create"),
        {"instructor": anna.pk, "start": "2027-03-01", "end": "2027-03-20", "reason": "Exercise"},
    )
    assert r.status_code == 302
    period = Unavailability.objects.get(instructor=anna)
    page = client.get(url).content.decode()
    assert "Hall" in page and "Exercise" in page
    assert reverse("planning:room_edit", args=[room.pk]) in page
    assert reverse("planning:unavailability_delete", args=[period.pk]) in page
    assert client.get(reverse("planning:room_edit", args=[room.pk])).status_code == 200
    r = client.post(
        reverse("planning:room_edit", args=[room.pk]), {"name": "Main hall", "capacity": "3"}
    )
    assert r.status_code == 302
    room.refresh_from_db()
    assert (room.name, room.capacity) == ("Main hall", 3)
    r = client.post(
        reverse("planning:unavailability_edit", args=[period.pk]),
        {"instructor": anna.pk, "start": "2027-03-01", "end": "2027-03-25", "reason": "Longer"},
    )
    assert r.status_code == 302
    period.refresh_from_db()
    assert (period.end, period.reason) == (D(2027, 3, 25), "Longer")
    client.post(reverse("planning:unavailability_delete", args=[period.pk]))
    client.post(reverse("planning:room_delete", args=[room.pk]))
    assert not Room.objects.exists() and not Unavailability.objects.exists()


def test_form_errors_are_shown_beside_the_field_and_nothing_changes(centre_staff, teachers):
    anna, _bruno = teachers
    client = client_for(centre_staff)
    services.create_room(centre_staff, {"name": "Hall"})
    r = client.post(reverse("planning:room_create"), {"name": "Hall", "capacity": "1"})
    assert r.status_code == 400
    assert "has-error" in r.content.decode() and Room.objects.count() == 1
    r = client.post(reverse("planning:room_create"), {"name": "Annex", "capacity": "0"})
    assert r.status_code == 400 and not Room.objects.filter(name="Annex").exists()
    r = client.post(
        reverse("planning:unavailability_create"),
        {"instructor": anna.pk, "start": "2027-03-10", "end": "2027-03-01"},
    )
    assert r.status_code == 400 and not Unavailability.objects.exists()
    form = r.context["period_form"]
    assert set(form.errors) == {"end"}
    period = _period(centre_staff, anna)
    r = client.post(
        reverse("planning:unavailability_edit", args=[period.pk]),
        {"instructor": anna.pk, "start": "2027-03-10", "end": "2027-03-01"},
    )
    assert r.status_code == 400 and set(r.context["form"].errors) == {"end"}
    assert "has-error" in r.content.decode()
    period.refresh_from_db()
    assert period.start == D(2027, 3, 1)


def test_others_get_no_forms_and_instructors_see_their_own_periods(
    centre_staff, teachers, instructor_user, kwt_coordinator
):
    anna, bruno = teachers
    own = _period(centre_staff, anna, reason="Anna's exercise")
    _period(centre_staff, bruno, reason="Bruno's leave")
    services.create_room(centre_staff, {"name": "Hall"})
    mine = client_for(instructor_user)
    page = mine.get(reverse("planning:my_plan")).content.decode()
    assert "Anna&#x27;s exercise" in page and "Bruno" not in page
    page = mine.get(reverse("planning:resources")).content.decode()
    assert "Anna&#x27;s exercise" in page and "Bruno" not in page and "Hall" not in page
    assert 'id="add-room"' not in page and "Delete" not in page
    assert mine.get(reverse("planning:unavailability_edit", args=[own.pk])).status_code == 403
    assert mine.post(reverse("planning:unavailability_delete", args=[own.pk])).status_code == 403
    assert mine.post(reverse("planning:room_create"), {"name": "X"}).status_code == 403
    coordinator = client_for(kwt_coordinator)
    page = coordinator.get(reverse("planning:plan_list")).content.decode()
    assert reverse("planning:resources") not in page
    page = coordinator.get(reverse("planning:resources")).content.decode()
    assert "Hall" not in page and "exercise" not in page and "<form" not in page.split("<main")[-1]
    assert Unavailability.objects.filter(pk=own.pk).exists()


def test_the_page_runs_constant_queries(centre_staff, teachers):
    anna, bruno = teachers
    client = client_for(centre_staff)
    n = iter(range(1, 100))

    def grow():
        k = next(n)
        services.create_room(centre_staff, {"name": f"Room {k}"})
        for who in (anna, bruno):
            _period(centre_staff, who, start=D(2027, 1, k), end=D(2027, 1, k + 1))

    grow()
    assert_constant_queries(lambda: client.get(reverse("planning:resources")), grow)


# -- command line -----------------------------------------------------------------------------


def test_cli_rooms_add_change_list_remove(centre_staff):
    name = centre_staff.username
    r = run_cli("plan", "--user", name, "--add-room", "Seminar room", "--capacity", "2")
    assert r.code == 0, r.err
    room = Room.objects.get(name="Seminar room")
    assert room.capacity == 2
    assert AuditEntry.objects.filter(object_id=str(room.pk), via="cli").exists()
    r = run_cli("plan", "--user", name, "--change-room", "Seminar room", "--capacity", "3")
    assert r.code == 0, r.err
    r = run_cli("plan", "--rooms")
    assert r.code == 0 and "Seminar room" in r.out and "3" in r.out
    r = run_cli("plan", "--user", name, "--remove-room", "Seminar room")
    assert r.code == 0 and not Room.objects.exists()


def test_cli_unavailable_add_list_remove(centre_staff, teachers):
    anna, bruno = teachers
    name = centre_staff.username
    r = run_cli(
        "plan", "--user", name, "--add-unavailable", "--instructor", str(anna.pk),
        "--from", "2027-03-01", "--to", "2027-03-20", "--reason", "Exercise",
    )  # fmt: skip
    assert r.code == 0, r.err
    period = Unavailability.objects.get()
    assert (period.instructor, period.end, period.reason) == (anna, D(2027, 3, 20), "Exercise")
    r = run_cli("plan", "--unavailable", "--instructor", str(anna.pk))
    assert r.code == 0 and "Anna Berg" in r.out and "2027-03-20" in r.out
    assert "Anna" not in run_cli("plan", "--unavailable", "--instructor", str(bruno.pk)).out
    r = run_cli("plan", "--user", name, "--remove-unavailable", str(period.pk))
    assert r.code == 0 and not Unavailability.objects.exists()


def test_cli_bad_input_exits_non_zero_with_a_message(centre_staff, teachers, kwt_coordinator):
    anna, _bruno = teachers
    name = centre_staff.username
    services.create_room(centre_staff, {"name": "Hall"})
    add = ["plan", "--user", name, "--add-unavailable", "--instructor", str(anna.pk)]
    for args, words in (
        (["plan", "--user", name, "--add-room", "Annex", "--capacity", "0"], "capacity"),
        (["plan", "--user", name, "--add-room", "Hall"], "name"),
        (["plan", "--add-room", "Annex"], "--user"),
        (["plan", "--user", kwt_coordinator.username, "--add-room", "Annex"], "may not"),
        (["plan", "--user", name, "--add-room", "Annex", "--capacity", "x"], "--capacity"),
        (["plan", "--user", name, "--change-room", "Nowhere", "--capacity", "2"], "No room"),
        (["plan", "--user", name, "--change-room", "Hall"], "--capacity"),
        ([*add, "--from", "2027-03-10", "--to", "2027-03-01"], "end"),
        ([*add, "--from", "soon", "--to", "2027-03-01"], "--from"),
        ([*add, "--from", "2027-03-01"], "--to"),
        (["plan", "--user", name, "--add-unavailable", "--instructor", "999999",
          "--from", "2027-03-01", "--to", "2027-03-02"], "instructor"),
        (["plan", "--user", name, "--remove-unavailable", "999999"], "999999"),
        (["plan", "--rooms", "--year", "2027", "--user", name, "--add-room", "A",
          "--remove-room", "Hall"], "one change"),
        (["plan"], "--year"),
    ):  # fmt: skip
        r = run_cli(*args)
        assert r.code != 0, args
        assert words in r.err, (args, r.err)
    assert list(Room.objects.values_list("name", flat=True)) == ["Hall"]
    assert not Unavailability.objects.exists()

"""Programme lifecycle, who may do what, versions and their differences."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from icihub.core.access import get_visible
from icihub.core.errors import Conflict
from icihub.core.models import AuditEntry
from icihub.partners.models import Country
from icihub.programmes import selectors, services
from icihub.programmes.models import Programme, ProgrammeItem, ProgrammeVersion

pytestmark = pytest.mark.django_db


def test_coordinator_creates_only_their_own_countrys_programme(kwt_coordinator, qatar):
    with pytest.raises(PermissionDenied):
        services.create_programme(
            kwt_coordinator,
            {"country": qatar, "kind": "itpp", "start_year": 2025, "end_year": 2028},
        )
    programme = services.create_programme(
        kwt_coordinator,
        {"country": kwt_coordinator.country, "kind": "itpp", "start_year": 2025, "end_year": 2028},
    )
    assert programme.state == "draft" and str(programme) == "Kuwait ITPP 2025–2028"


@pytest.mark.parametrize(
    "data, field",
    [
        # each rule is reported on the field it is about (issue 15)
        ({"kind": "ipcp", "start_year": 2014, "end_year": 2016}, "end_year"),
        ({"kind": "itpp", "start_year": 2019, "end_year": 2022}, "start_year"),
        ({"kind": "itpp", "start_year": 2025, "end_year": 2024}, "end_year"),
        ({"kind": "itpp", "start_year": 2025, "end_year": 2028, "marking": "public"}, "marking"),
    ],
)
def test_programme_rules(nato_staff, kuwait, data, field):
    with pytest.raises(ValidationError) as excinfo:
        services.create_programme(nato_staff, {"country": kuwait, **data})
    assert field in excinfo.value.message_dict


def test_one_programme_per_country_and_period(nato_staff, kuwait, qatar):
    services.create_programme(
        nato_staff, {"country": kuwait, "kind": "itpp", "start_year": 2022, "end_year": 2025}
    )
    with pytest.raises(ValidationError) as excinfo:
        services.create_programme(
            nato_staff, {"country": kuwait, "kind": "itpp", "start_year": 2024, "end_year": 2026}
        )
    assert "start_year" in excinfo.value.message_dict
    services.create_programme(
        nato_staff, {"country": qatar, "kind": "itpp", "start_year": 2024, "end_year": 2026}
    )


def test_full_lifecycle_with_versions_and_diff(
    build_programme, kwt_coordinator, nato_staff, activity
):
    programme = build_programme(kwt_coordinator, objectives=2, goals=2, items=2)
    assert programme.version == 0
    # The coordinator cannot agree; NATO staff cannot agree a draft.
    with pytest.raises(Conflict):
        services.agree(nato_staff, programme)
    services.submit(kwt_coordinator, programme)
    programme.refresh_from_db()
    assert programme.state == "submitted" and programme.submitted_by == kwt_coordinator
    # A submitted programme is frozen for the coordinator.
    goal = programme.objectives.first().goals.first()
    with pytest.raises(Conflict):
        services.add_item(kwt_coordinator, goal, {"activity": activity()})
    with pytest.raises(Conflict):
        services.update_objective(kwt_coordinator, programme.objectives.first(), {"title": "X"})
    with pytest.raises(PermissionDenied):
        services.agree(kwt_coordinator, programme)
    services.agree(nato_staff, programme, reason="NAC approval")
    programme.refresh_from_db()
    assert programme.state == "agreed" and programme.agreed_by == nato_staff
    assert programme.agreed_at is not None and programme.version == 1
    v1 = ProgrammeVersion.objects.get(programme=programme, number=1)
    assert len(v1.snapshot["objectives"]) == 2
    assert sum(len(g["items"]) for o in v1.snapshot["objectives"] for g in o["goals"]) == 8
    assert (
        AuditEntry.objects.filter(
            action="transition", object_id=str(programme.pk), content_type__model="programme"
        ).count()
        == 2
    )
    services.activate(nato_staff, programme)
    # After agreement the coordinator no longer edits; NATO changes make versions.
    with pytest.raises(PermissionDenied):
        services.add_item(kwt_coordinator, goal, {"activity": activity()})
    new = activity(title="Maritime interdiction")
    added = services.add_item(nato_staff, goal, {"activity": new, "planned_year": 2026, "seats": 4})
    programme.refresh_from_db()
    assert programme.version == 2
    changed_item = ProgrammeItem.objects.filter(goal=goal).exclude(pk=added.pk).first()
    services.update_item(nato_staff, changed_item, {"seats": 9})
    removed = (
        ProgrammeItem.objects.filter(goal__objective__programme=programme)
        .exclude(goal=goal)
        .first()
    )
    removed_pk = removed.pk
    services.delete_item(nato_staff, removed)
    programme.refresh_from_db()
    assert programme.version == 4
    diff = selectors.version_diff(programme, nato_staff, 1, 4)
    assert [c.id for c in diff.added] == [added.pk]
    assert [c.id for c in diff.removed] == [removed_pk]
    assert [(c.id, c.fields) for c in diff.changed] == [
        (changed_item.pk, {"seats": {"before": 2, "after": 9}})
    ]
    assert (
        selectors.version_diff(programme, nato_staff, 1, 2)
        .as_dict()["items"]["added"][0]["label"]
        .endswith("Maritime interdiction")
    )
    assert selectors.version_diff(programme, nato_staff, 4, 0).empty
    services.close(nato_staff, programme)
    with pytest.raises(Conflict):
        services.add_item(nato_staff, goal, {"activity": activity()})


def test_submit_needs_a_complete_structure(kwt_coordinator, kuwait):
    programme = services.create_programme(
        kwt_coordinator, {"country": kuwait, "kind": "itpp", "start_year": 2025, "end_year": 2028}
    )
    objective = services.add_objective(kwt_coordinator, programme, {"title": "Resilience"})
    services.add_goal(kwt_coordinator, objective, {"title": "Empty goal"})
    with pytest.raises(ValidationError) as excinfo:
        services.submit(kwt_coordinator, programme)
    assert "Empty goal" in str(excinfo.value.message_dict["programme"])


def test_return_to_draft_needs_nato_and_a_reason(build_programme, kwt_coordinator, nato_staff):
    programme = build_programme(kwt_coordinator)
    services.submit(kwt_coordinator, programme)
    with pytest.raises(PermissionDenied):
        services.return_to_draft(kwt_coordinator, programme, reason="oops")
    with pytest.raises(ValidationError):
        services.return_to_draft(nato_staff, programme, reason="")
    services.return_to_draft(nato_staff, programme, reason="Add a maritime goal")
    programme.refresh_from_db()
    assert programme.state == "draft"


def test_items_are_checked(build_programme, kwt_coordinator, activity):
    programme = build_programme(kwt_coordinator)
    goal = programme.objectives.first().goals.first()
    with pytest.raises(ValidationError) as excinfo:
        services.add_item(kwt_coordinator, goal, {"activity": activity(), "planned_year": 2040})
    assert "planned_year" in excinfo.value.message_dict
    secret = activity(marking="nato")
    with pytest.raises(ValidationError) as excinfo:
        services.add_item(kwt_coordinator, goal, {"activity": secret})
    assert "activity" in excinfo.value.message_dict
    retired = activity(status="retired")
    with pytest.raises(ValidationError):
        services.add_item(kwt_coordinator, goal, {"activity": retired})
    with pytest.raises(ValidationError):
        services.add_item(kwt_coordinator, goal, {"activity": activity(), "planned_quarter": 5})
    ended = activity(first_year=2010, last_year=2020)
    with pytest.raises(ValidationError) as excinfo:
        services.add_item(kwt_coordinator, goal, {"activity": ended, "planned_year": 2025})
    assert "offered 2010–2020" in excinfo.value.message_dict["planned_year"][0]
    later = activity(first_year=2027)
    assert services.add_item(kwt_coordinator, goal, {"activity": later}).planned_year == 2027
    a = activity()
    services.add_item(kwt_coordinator, goal, {"activity": a, "planned_year": 2025})
    with pytest.raises((ValidationError, Conflict)):
        services.add_item(kwt_coordinator, goal, {"activity": a, "planned_year": 2025})


def test_the_default_year_moves_into_the_years_the_activity_is_offered():
    """The programme's year (this year when it covers it, else its first year),
    moved into the activity's years when they overlap the programme's."""
    import datetime as dt

    from icihub.menu.models import Activity
    from icihub.programmes.models import Programme

    def default(start, end, first=None, last=None):
        programme = Programme(start_year=start, end_year=end)
        return services.default_year(programme, Activity(first_year=first, last_year=last))

    assert default(2040, 2043) == 2040
    assert default(2040, 2043, first=2042) == 2042
    assert default(2040, 2043, first=2030, last=2041) == 2040
    assert default(2040, 2043, first=2050) == 2040  # not offered during the programme
    assert default(2040, 2043, last=2039) == 2040
    this_year = dt.date.today().year
    assert default(this_year - 2, this_year + 1) == this_year
    assert default(this_year - 2, this_year + 1, last=this_year - 1) == this_year - 1
    assert default(this_year - 2, this_year + 1, last=this_year - 3) == this_year


def test_access_a_coordinator_sees_only_their_own_country(build_programme, every_role):
    kuwait_programme = build_programme(every_role["coordinator_kwt"])
    qatar = every_role["coordinator_qat"]
    with pytest.raises(Http404):
        get_visible(Programme, qatar, pk=kuwait_programme.pk)
    assert not selectors.programmes(qatar).filter(pk=kuwait_programme.pk).exists()
    goal = kuwait_programme.objectives.first().goals.first()
    with pytest.raises(Http404):
        services.add_objective(qatar, kuwait_programme, {"title": "Intrusion"})
    with pytest.raises(Http404):
        services.update_goal(qatar, goal, {"title": "Intrusion"})
    for role in ("admin", "nato_staff", "centre_staff", "coordinator_kwt"):
        assert selectors.programmes(every_role[role]).filter(pk=kuwait_programme.pk).exists(), role
    for role in ("instructor", "participant"):
        assert not selectors.programmes(every_role[role]).exists(), role
    # Centre staff read but do not change.
    with pytest.raises(PermissionDenied):
        services.add_objective(every_role["centre_staff"], kuwait_programme, {"title": "X"})


def test_delete_only_never_agreed_drafts(build_programme, kwt_coordinator, nato_staff):
    programme = build_programme(kwt_coordinator)
    services.submit(kwt_coordinator, programme)
    with pytest.raises(Conflict):
        services.delete_programme(nato_staff, programme)
    services.return_to_draft(nato_staff, programme, reason="redo")
    programme.refresh_from_db()
    services.delete_programme(kwt_coordinator, programme)
    assert not Programme.objects.filter(pk=programme.pk).exists()


def test_update_programme_after_agreement_makes_a_version(
    build_programme, kwt_coordinator, nato_staff
):
    programme = build_programme(kwt_coordinator)
    services.submit(kwt_coordinator, programme)
    services.agree(nato_staff, programme)
    services.update_programme(nato_staff, programme, {"summary": "Revised after review"})
    programme.refresh_from_db()
    assert programme.version == 2
    with pytest.raises(Conflict):
        services.update_programme(nato_staff, programme, {"start_year": 2026})
    diff = selectors.version_diff(programme, nato_staff, 1, 2)
    assert diff.programme == {"summary": {"before": "", "after": "Revised after review"}}


def test_country_instance_is_required(nato_staff):
    with pytest.raises((ValidationError, PermissionDenied)):
        services.create_programme(
            nato_staff, {"kind": "itpp", "start_year": 2025, "end_year": 2026}
        )
    assert Country.objects.filter(iso3="KWT").exists()

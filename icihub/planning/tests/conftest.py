import datetime as dt

import pytest

from icihub.partners.models import Country, Organisation
from icihub.training import services as training
from icihub.training.models import Session
from icihub.training.tests.factories import make_course, make_session


@pytest.fixture
def year_world(centre_staff, instructor_user):
    """Two courses taught in 2026 by travelling instructors (one of them the
    instructor account), the ground for a 2027 plan."""
    school = Organisation.objects.get(slug="nato-school")
    ita = Country.objects.get(iso3="ITA")
    anna = training.create_instructor(
        centre_staff,
        {"full_name": "Anna Berg", "organisation": school, "country": ita, "user": instructor_user},
    )
    bruno = training.create_instructor(
        centre_staff, {"full_name": "Bruno Costa", "organisation": school, "country": ita}
    )
    cbrn = make_course(centre_staff, "CBRN-201", title="CBRN consequence management")
    lessons = make_course(centre_staff, "LL-101", title="Lessons learned", duration_days=4)
    for course, starts, who in (
        (cbrn, (dt.date(2026, 4, 5), dt.date(2026, 10, 4)), anna),
        (lessons, (dt.date(2026, 5, 3),), bruno),
        (lessons, (dt.date(2026, 11, 1),), anna),
    ):
        for start in starts:
            s = make_session(
                course,
                centre_staff,
                start=start,
                state=Session.State.PLANNED,
                nomination_deadline=start - dt.timedelta(weeks=8),
            )
            training.assign(centre_staff, s, who, "lead")
    return {"anna": anna, "bruno": bruno, "cbrn": cbrn, "lessons": lessons}

"""Course endpoints."""

from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Query, Schema, Status
from ninja.pagination import paginate

from icihub.core.access import Marking, get_visible, visible
from icihub.core.apikit import (
    ERRORS,
    MAX_SMALL,
    READ_ERRORS,
    Children,
    Id,
    MarkingEnum,
    Pagination,
    Percent,
    ValuesOut,
    actor,
    require_signed_in,
    serve_prebuilt,
)
from icihub.menu.models import Area
from icihub.partners.models import Country, Framework, Organisation

from .. import selectors, services
from ..filters import CourseFilters
from ..models import (
    Course,
)
from ._common import (
    CourseClassification,
    CourseDelivery,
    CourseLevel,
    CourseStatus,
    OrganisationRef,
    _country,
    _fetch,
    router,
)

# -- courses -------------------------------------------------------------------------------


class CourseOut(Schema):
    id: int
    code: str
    title: str
    title_ar: str
    description: str
    areas: list[str] = Field(description="Area codes")
    level: str
    format: str
    delivery: str
    provider: OrganisationRef | None = None
    duration_days: int
    languages: str
    aim: str
    performance_objectives: list[str]
    security_classification: str
    training_audience: str
    eligible_frameworks: list[str] = Field(description="Framework codes")
    eligible_countries: list[str] = Field(description="ISO alpha-3 codes")
    prerequisites: str
    default_capacity: int
    min_attendance_percent: int = Field(description="Completion rule: attendance needed (%)")
    level1_evaluation_required: bool
    level2_test: bool
    fee_eur: Decimal
    marking: str
    status: str
    external_ref: str
    provenance: str

    @staticmethod
    def resolve_areas(obj):
        return [a.code for a in obj.areas.all()]

    @staticmethod
    def resolve_performance_objectives(obj):
        return obj.objective_list

    @staticmethod
    def resolve_eligible_frameworks(obj):
        return [f.code for f in obj.eligible_frameworks.all()]

    @staticmethod
    def resolve_eligible_countries(obj):
        return [c.iso3 for c in obj.eligible_countries.all()]


class CourseFields(Schema):
    """What a course's PATCH may change (``PatchDict``: only the fields sent);
    limits on the types (Annotated), so that PatchDict's optional copy keeps them."""

    title: str
    title_ar: str = ""
    description: str = ""
    areas: list[str] = Field(default_factory=list, description="Area codes")
    level: CourseLevel | None = None
    delivery: CourseDelivery = Course.Delivery.RESIDENT
    provider: str = Field(description="Slug of the providing organisation")
    duration_days: Annotated[int, Field(ge=1, le=365)] = 5
    languages: str = "en"
    aim: str = ""
    performance_objectives: str = Field("", description="One objective per line")
    security_classification: CourseClassification = Course.Classification.NU_REL_ICI
    training_audience: str = ""
    eligible_frameworks: list[str] = Field(default_factory=list, description="Framework codes")
    eligible_countries: list[str] = Field(default_factory=list, description="ISO codes")
    prerequisites: str = ""
    default_capacity: Annotated[int, Field(ge=1, le=MAX_SMALL)] = 30
    min_attendance_percent: Percent = 80
    level1_evaluation_required: bool = True
    level2_test: bool = False
    fee_eur: Decimal = Decimal(0)
    marking: MarkingEnum = Marking.REL_ICI
    status: CourseStatus = Course.Status.ACTIVE
    external_ref: str = ""


class CourseIn(CourseFields):
    code: str = Field(description="Course code, e.g. NIRC-CM-101")


def _course_data(payload: Schema | dict, *, partial: bool) -> dict:
    data = payload if partial else payload.dict()  # a PatchDict: the fields sent
    if partial:
        data = {k: v for k, v in data.items() if v is not None}
    for key, value in list(data.items()):
        if hasattr(value, "value"):
            data[key] = value.value
    if data.get("level") is None and "level" in data:
        data["level"] = ""
    if "provider" in data:
        provider = Organisation.objects.filter(slug=data["provider"]).first()
        if provider is None:
            raise ValidationError(
                {"provider": _("Unknown organisation “%(s)s”.") % {"s": data["provider"]}}
            )
        data["provider"] = provider
    if "areas" in data:
        areas = list(Area.objects.filter(code__in=data["areas"]))
        unknown = set(data["areas"]) - {a.code for a in areas}
        if unknown:
            raise ValidationError(
                {"areas": _("Unknown areas: %(a)s.") % {"a": ", ".join(sorted(unknown))}}
            )
        data["areas"] = areas
    if "eligible_frameworks" in data:
        frameworks = list(Framework.objects.filter(code__in=data["eligible_frameworks"]))
        unknown = set(data["eligible_frameworks"]) - {f.code for f in frameworks}
        if unknown:
            raise ValidationError(
                {
                    "eligible_frameworks": _("Unknown frameworks: %(f)s.")
                    % {"f": ", ".join(sorted(unknown))}
                }
            )
        data["eligible_frameworks"] = frameworks
    if "eligible_countries" in data:
        data["eligible_countries"] = [
            _country(code, "eligible_countries") for code in data["eligible_countries"]
        ]
    return data


def _courses(user):
    return selectors.courses(user)


# The lists and records as values() rows (apikit.ValuesOut): the codes of the
# many-to-many fields by a query each, as the prefetches of ``selectors.courses`` do.
COURSE_ROWS = ValuesOut(
    CourseOut,
    Course,
    computed={"performance_objectives": CourseOut.resolve_performance_objectives},
    children={
        "areas": Children("code", "activities", model=Area),
        "eligible_frameworks": Children("code", "activities", model=Framework),
        "eligible_countries": Children("iso3", "eligible_activities", model=Country),
    },
)


@router.get(
    "/training/courses",
    response={200: list[CourseOut], **READ_ERRORS},
    summary="The course catalogue",
)
@serve_prebuilt
@paginate(Pagination)
def course_list(request, filters: Query[CourseFilters]):
    user = actor(request)
    return COURSE_ROWS.page(filters.filter(_courses(user)))


@router.get("/training/courses/{int:pk}", response={200: CourseOut, **READ_ERRORS})
@serve_prebuilt
def course_detail(request, pk: Id):
    user = actor(request)
    return COURSE_ROWS.record(_course_record, user, pk, models=(Course,))


def _course_record(scope, pk):
    return visible(_courses(scope), scope).filter(pk=pk)


@router.post("/training/courses", response={201: CourseOut, **ERRORS}, summary="Add a course")
def course_create(request, payload: CourseIn):
    user = require_signed_in(request)
    course = services.create_course(user, _course_data(payload, partial=False))
    return Status(201, _fetch(_courses(user), course))


@router.patch("/training/courses/{int:pk}", response={200: CourseOut, **ERRORS})
def course_update(request, pk: Id, payload: PatchDict[CourseFields]):
    user = require_signed_in(request)
    course = get_visible(Course, user, pk=pk)
    services.update_course(user, course, _course_data(payload, partial=True))
    return _fetch(_courses(user), course)

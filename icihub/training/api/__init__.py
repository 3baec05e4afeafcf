"""REST API of the Regional Centre's training: courses, sessions with their
quotas, participants, nominations (and their accept/reject/withdraw/substitute
actions), attendance, evaluations, certificates, instructors, assignments and
trips.

Thin: parse, resolve ids to rows the caller may see (404 otherwise), call a
service or a selector, shape the answer. A coordinator sees and writes only
their country's participants and nominations; an instructor their own
sessions' records; a participant their own nominations, evaluations and
certificates. Errors share one body (``{detail, code, errors}``), never a 500."""

# isort: off
# The rooms register their routes in the documentation's order.
from ._common import (  # noqa: F401
    AssignmentPart,
    CountryRef,
    CourseClassification,
    CourseDelivery,
    CourseLevel,
    CourseRef,
    CourseStatus,
    NominationOutcome,
    NominationStatus,
    OrganisationRef,
    ParticipantRankCode,
    ParticipantRef,
    ParticipantService,
    ReasonIn,
    SessionRef,
    SessionState,
    _country,
    _fetch,
    router,
)
from .courses import (  # noqa: F401
    CourseFilters,
    CourseIn,
    CourseOut,
    CourseFields,
    _course_data,
    _courses,
    course_create,
    course_detail,
    course_list,
    course_update,
)
from .sessions import (  # noqa: F401
    QuotaOut,
    QuotasIn,
    ReallocationOut,
    SessionFilters,
    SessionIn,
    SessionOut,
    SessionFields,
    StateIn,
    _quota_map,
    _sessions,
    session_complete,
    session_create,
    session_detail,
    session_list,
    session_quotas,
    session_reallocate,
    session_state,
    session_update,
)
from .participants import (  # noqa: F401
    ParticipantFilters,
    ParticipantIn,
    ParticipantOut,
    _participant_data,
    _participants,
    participant_create,
    participant_detail,
    participant_list,
    participant_update,
)
from .nominations import (  # noqa: F401
    NominationFilters,
    NominationIn,
    NominationOut,
    SubstituteIn,
    _nomination_action,
    _nominations,
    nomination_accept,
    nomination_create,
    nomination_detail,
    nomination_list,
    nomination_reject,
    nomination_substitute,
    nomination_withdraw,
)
from .attendance import (  # noqa: F401
    AttendanceFilters,
    AttendanceIn,
    AttendanceOut,
    AttendanceRecord,
    CourseEvaluationSummaryOut,
    EvaluationIn,
    EvaluationOut,
    EvaluationSummaryOut,
    _attendance,
    attendance_list,
    attendance_record,
    course_evaluation_summary,
    evaluation_create,
    evaluation_list,
    evaluation_summary,
)
from .certificates import (  # noqa: F401
    CertificateFilters,
    CertificateIn,
    CertificateOut,
    VerifyOut,
    certificate_detail,
    certificate_issue,
    certificate_list,
    certificate_pdf,
    certificate_revoke,
    session_certificates,
    verify,
)
from .staffing import (  # noqa: F401
    AssignmentIn,
    AssignmentOut,
    InstructorIn,
    InstructorOut,
    TripIn,
    TripOut,
    _instructor_data,
    assignment_create,
    assignment_delete,
    assignment_list,
    instructor_create,
    instructor_detail,
    instructor_list,
    instructor_update,
    trip_create,
    trip_delete,
    trip_detail,
    trip_list,
)
# isort: on

"""Pages of the Regional Centre's training: the catalogue, sessions with their
seats and nominations, attendance, evaluations, certificates, instructors, the
calendar and the participants' and instructors' own pages. Views parse input,
call a selector or a service, and render; every read goes through the access
model (a record the user may not see answers 404)."""

from ._common import (  # noqa: F401
    _act,
    _area_choices,
    _can_create,
    _country_choices,
    _year_choices,
)
from .attendance import (  # noqa: F401
    evaluation_form,
    session_attendance,
)
from .calendar import (  # noqa: F401
    _ics_response,
    calendar,
    calendar_feed,
    calendar_feed_new,
    calendar_feed_revoke,
    calendar_public,
)
from .certificates import (  # noqa: F401
    CERTIFICATE_LIST,
    certificate_detail,
    certificate_list,
    certificate_pdf,
    certificate_revoke,
    session_certificates_zip,
    session_certify,
    verify_certificate,
    verify_form,
)
from .courses import (  # noqa: F401
    COURSE_LIST,
    _course_form_page,
    course_create,
    course_detail,
    course_edit,
    course_list,
)
from .nomination_list import NOMINATION_LIST, nomination_list  # noqa: F401
from .nominations import (  # noqa: F401
    _nomination,
    nomination_accept,
    nomination_certify,
    nomination_detail,
    nomination_reject,
    nomination_substitute,
    nomination_withdraw,
    session_nominate,
    session_nominate_person,
)
from .own import (  # noqa: F401
    my_sessions,
    my_training,
)
from .participants import (  # noqa: F401
    PARTICIPANT_LIST,
    _participant_data,
    participant_create,
    participant_detail,
    participant_edit,
    participant_export,
    participant_list,
)
from .search import (  # noqa: F401
    nomination_substitute_search,
    session_instructor_search,
    session_nominate_search,
)
from .sessions import (  # noqa: F401
    REALLOCATION_RULE,
    SESSION_LIST,
    assignment_delete,
    session_assign,
    session_complete,
    session_create,
    session_decide,
    session_detail,
    session_edit,
    session_joining,
    session_list,
    session_quotas,
    session_reallocate,
    session_state,
)
from .spreadsheets import (  # noqa: F401
    _import_dir,
    _remove_stale_uploads,
    import_page,
    session_export,
)
from .staffing import (  # noqa: F401
    INSTRUCTOR_LIST,
    _instructor_form_page,
    _organisation_choices,
    instructor_create,
    instructor_detail,
    instructor_edit,
    instructor_list,
    trip_create,
)

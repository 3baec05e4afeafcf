from django.urls import path

from . import privacy_views, views

app_name = "training"

urlpatterns = [
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("courses/<int:course_pk>/sessions/new/", views.session_create, name="session_create"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/quotas/", views.session_quotas, name="session_quotas"),
    path("sessions/<int:pk>/state/", views.session_state, name="session_state"),
    path("sessions/<int:pk>/reallocate/", views.session_reallocate, name="session_reallocate"),
    path("sessions/<int:pk>/nominate/", views.session_nominate, name="session_nominate"),
    path("sessions/<int:pk>/import/", views.import_page, name="session_import"),
    path("sessions/<int:pk>/export.<str:fmt>", views.session_export, name="session_export"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("sessions/<int:pk>/complete/", views.session_complete, name="session_complete"),
    path("sessions/<int:pk>/decide/", views.session_decide, name="session_decide"),
    path("sessions/<int:pk>/joining/", views.session_joining, name="session_joining"),
    path("sessions/<int:pk>/assign/", views.session_assign, name="session_assign"),
    path(
        "sessions/<int:pk>/instructor-search/",
        views.session_instructor_search,
        name="session_instructor_search",
    ),
    path("sessions/<int:pk>/certificates/", views.session_certify, name="session_certify"),
    path(
        "sessions/<int:pk>/certificates.zip",
        views.session_certificates_zip,
        name="session_certificates_zip",
    ),
    path("assignments/<int:pk>/delete/", views.assignment_delete, name="assignment_delete"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination_detail"),
    path("nominations/<int:pk>/accept/", views.nomination_accept, name="nomination_accept"),
    path("nominations/<int:pk>/reject/", views.nomination_reject, name="nomination_reject"),
    path("nominations/<int:pk>/withdraw/", views.nomination_withdraw, name="nomination_withdraw"),
    path(
        "nominations/<int:pk>/substitute/",
        views.nomination_substitute,
        name="nomination_substitute",
    ),
    path(
        "nominations/<int:pk>/substitute-search/",
        views.nomination_substitute_search,
        name="nomination_substitute_search",
    ),
    path("nominations/<int:pk>/certificate/", views.nomination_certify, name="nomination_certify"),
    path("nominations/<int:pk>/evaluation/", views.evaluation_form, name="evaluation_form"),
    path("participants/", views.participant_list, name="participant_list"),
    path("participants/new/", views.participant_create, name="participant_create"),
    path("participants/import/", views.import_page, name="participant_import"),
    path("participants/export.<str:fmt>", views.participant_export, name="participant_export"),
    path("participants/<int:pk>/", views.participant_detail, name="participant_detail"),
    path("participants/<int:pk>/edit/", views.participant_edit, name="participant_edit"),
    path(
        "participants/<int:pk>/data.<str:fmt>",
        privacy_views.participant_data_export,
        name="participant_data_export",
    ),
    path(
        "participants/<int:pk>/anonymise/",
        privacy_views.participant_anonymise,
        name="participant_anonymise",
    ),
    path(
        "participants/anonymisation/",
        privacy_views.anonymisation_due,
        name="anonymisation_due",
    ),
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("instructors/", views.instructor_list, name="instructor_list"),
    path("instructors/new/", views.instructor_create, name="instructor_create"),
    path("instructors/<int:pk>/", views.instructor_detail, name="instructor_detail"),
    path("instructors/<int:pk>/edit/", views.instructor_edit, name="instructor_edit"),
    path("instructors/<int:pk>/trips/new/", views.trip_create, name="trip_create"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/public.ics", views.calendar_public, name="calendar_public"),
    path("calendar/feed/new/", views.calendar_feed_new, name="calendar_feed_new"),
    path("calendar/feed/revoke/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("calendar/feed/<str:key>.ics", views.calendar_feed, name="calendar_feed"),
    path("my/training/", views.my_training, name="my_training"),
    path("my/training/data.<str:fmt>", privacy_views.my_data_export, name="my_data_export"),
    path("my/sessions/", views.my_sessions, name="my_sessions"),
]

# Public, at the site root (icihub/urls.py adds these): the certificate check.
root_urlpatterns = [
    path("verify/<str:code>", views.verify_certificate, name="verify_certificate"),
    path("verify/<str:code>/", views.verify_certificate),
]

from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/new/", views.framework_create, name="framework_create"),
    path("frameworks/<slug:code>/", views.framework_detail, name="framework_detail"),
    path("frameworks/<slug:code>/edit/", views.framework_edit, name="framework_edit"),
    path("frameworks/<slug:code>/delete/", views.framework_delete, name="framework_delete"),
    path("countries/", views.country_list, name="country_list"),
    path("countries/<str:iso3>/", views.country_detail, name="country_detail"),
    path("countries/<str:iso3>/edit/", views.country_edit, name="country_edit"),
    path("groupings/<slug:code>/", views.grouping_detail, name="grouping_detail"),
    path("partnerships/", views.partnership_list, name="partnership_list"),
    path("partnerships/new/", views.partnership_create, name="partnership_create"),
    path("partnerships/<int:pk>/", views.partnership_detail, name="partnership_detail"),
    path("partnerships/<int:pk>/edit/", views.partnership_edit, name="partnership_edit"),
    path("partnerships/<int:pk>/delete/", views.partnership_delete, name="partnership_delete"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<slug:slug>/delete/", views.organisation_delete, name="organisation_delete"
    ),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<slug:slug>/", views.person_detail, name="person_detail"),
    path("people/<slug:slug>/edit/", views.person_edit, name="person_edit"),
    path("people/<slug:slug>/delete/", views.person_delete, name="person_delete"),
    path(
        "people/<slug:slug>/appointments/new/",
        views.appointment_create,
        name="appointment_create",
    ),
    path("appointments/<int:pk>/edit/", views.appointment_edit, name="appointment_edit"),
    path("appointments/<int:pk>/delete/", views.appointment_delete, name="appointment_delete"),
    path("sources/<slug:kind>/<int:pk>/add/", views.citation_create, name="citation_create"),
    path("citations/<int:pk>/delete/", views.citation_delete, name="citation_delete"),
]

from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("mine/", views.my_plan, name="my_plan"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/progress/", views.plan_progress, name="plan_progress"),
    path("<int:pk>/solve/", views.plan_solve, name="plan_solve"),
    path("<int:pk>/weights/", views.plan_weights, name="plan_weights"),
    path("<int:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("<int:pk>/version/", views.plan_version, name="plan_version"),
    path("<int:pk>/diff/", views.plan_diff, name="plan_diff"),
    path("runs/<int:pk>/stop/", views.run_stop, name="run_stop"),
    path("courses/<int:pk>/", views.course_edit, name="course_edit"),
    path("sessions/<int:pk>/move/", views.session_move, name="session_move"),
    path("sessions/<int:pk>/lock/", views.session_lock, name="session_lock"),
    path("resources/", views.resources, name="resources"),
    path("rooms/new/", views.room_create, name="room_create"),
    path("rooms/<int:pk>/edit/", views.room_edit, name="room_edit"),
    path("rooms/<int:pk>/delete/", views.room_delete, name="room_delete"),
    path("unavailability/new/", views.unavailability_create, name="unavailability_create"),
    path("unavailability/<int:pk>/edit/", views.unavailability_edit, name="unavailability_edit"),
    path(
        "unavailability/<int:pk>/delete/",
        views.unavailability_delete,
        name="unavailability_delete",
    ),
]

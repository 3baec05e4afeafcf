from django.urls import path

from . import views

app_name = "dialogue"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/delete/", views.event_delete, name="event_delete"),
    path("events/<int:pk>/cite/", views.citation_add, name="citation_add"),
    path("events/<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/close/", views.actions_close, name="actions_close"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/state/", views.action_state, name="action_state"),
    path("actions/<int:pk>/delete/", views.action_delete, name="action_delete"),
    path("timeline/", views.timeline, name="timeline"),
]

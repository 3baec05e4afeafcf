from django.urls import path

from . import views

app_name = "gulf"

urlpatterns = [
    path("", views.index, name="index"),
    path("year/<int:year>/", views.year, name="year"),
    path(
        "islamic/<int:hijri_year>/<str:event>/",
        views.islamic_set,
        name="islamic_set",
    ),
    path("closures/new/", views.closure_create, name="closure_create"),
    path("closures/<int:pk>/edit/", views.closure_edit, name="closure_edit"),
    path("closures/<int:pk>/delete/", views.closure_delete, name="closure_delete"),
]

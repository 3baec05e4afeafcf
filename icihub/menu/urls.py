from django.urls import path

from . import views

app_name = "menu"

urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/status/", views.activity_status, name="activity_status"),
    path("areas/", views.area_list, name="area_list"),
    path("areas/<slug:code>/", views.area_detail, name="area_detail"),
    path("import/", views.menu_import, name="import"),
    path("export/", views.menu_export, name="export"),
]

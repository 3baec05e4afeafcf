from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("records/<slug:key>/", views.records, name="records"),
    path("annual/", views.annual, name="annual"),
    path("annual/<int:year>/report.<str:fmt>", views.annual_download, name="annual_download"),
    path("annual/<int:year>/lock/", views.annual_lock, name="annual_lock"),
    path("country/", views.country_index, name="country_index"),
    path("country/<str:iso3>/", views.country, name="country"),
    path("country/<str:iso3>/report.<str:fmt>", views.country_download, name="country_download"),
    path("snapshots/", views.snapshot_list, name="snapshot_list"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot_detail"),
    path("public/", views.public, name="public"),
]

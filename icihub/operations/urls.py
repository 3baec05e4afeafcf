from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("", views.overview, name="overview"),
]

# The probes and the metrics, at the root where operators' tools look for them.
root_urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics_view, name="metrics"),
]

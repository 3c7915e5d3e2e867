"""Include at the site's root: ``path("", include("terms_kit.health.urls"))``."""

from django.urls import path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="terms_kit_healthz"),
    path("readyz", views.readyz, name="terms_kit_readyz"),
]

"""Admin URLs of the wizard, registered by terms_kit.wagtail_hooks."""

from django.urls import path

from . import views

urlpatterns = [
    path("terms-kit/wizard/", views.WizardIndexView.as_view(), name="terms_kit_wizard_index"),
    path("terms-kit/wizard/new/", views.StepView.as_view(), name="terms_kit_wizard_new"),
    path("terms-kit/wizard/new/<int:identity_pk>/client/", views.StepView.as_view(),
         {"step": "client"}, name="terms_kit_wizard_new_client"),
    path("terms-kit/wizard/<int:pk>/review/", views.ReviewView.as_view(),
         name="terms_kit_wizard_review"),
    path("terms-kit/wizard/<int:pk>/price/totals/", views.PriceTotalsView.as_view(),
         {"step": "price"}, name="terms_kit_wizard_price_totals"),
    path("terms-kit/wizard/<int:pk>/<slug:step>/", views.StepView.as_view(),
         name="terms_kit_wizard_step"),
    path("terms-kit/wizard/<int:pk>/<slug:step>/check/", views.LiveCheckView.as_view(),
         name="terms_kit_wizard_check"),
]

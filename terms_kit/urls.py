"""Public URLs of terms-kit: the client's pages (personal link) and the seal verification."""

from django.urls import path

from .acceptance import views
from .payments import online_views
from .payments import views as payment_views

app_name = "terms_kit"
urlpatterns = [
    path("c/<str:token>/", views.review, name="client_review"),
    path("c/<str:token>/code/", views.request_code, name="client_code"),
    path("c/<str:token>/verify-code/", views.verify_code, name="client_verify_code"),
    path("c/<str:token>/accept/", views.accept_view, name="client_accept"),
    path("c/<str:token>/documents/<int:pk>.<str:fmt>", views.document_download,
         name="client_document"),
    path("c/<str:token>/sealed/<str:kind>.pdf", views.sealed_download, name="client_sealed"),
    path("c/<str:token>/decline/", views.decline_view, name="client_decline"),
    path("c/<str:token>/withdraw/", views.withdraw_view, name="client_withdraw"),
    path("c/<str:token>/invoices/<int:pk>.<str:fmt>", payment_views.invoice_download,
         name="client_invoice"),
    path("verify/", views.verify_seal_view, name="verify_seal"),
    path("c/<str:token>/pay/<int:instalment_id>/", online_views.pay_view, name="client_pay"),
    path("webhooks/<slug:provider_name>/", online_views.webhook_view, name="payment_webhook"),
]

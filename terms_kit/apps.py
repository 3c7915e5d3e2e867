from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TermsKitConfig(AppConfig):
    name = "terms_kit"
    verbose_name = _("Terms kit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from . import checks  # noqa: F401  (registers the system checks)
        from .admin.spreadsheets import neutralise_spreadsheet_exports
        from .models import Client
        from .pages.cache import connect_receivers
        from .pages.receivers import on_work_may_start
        from .payments.receivers import on_client_saved, on_status_changed
        from .permissions import register_policies
        from .signals import engagement_status_changed, work_may_start

        # Before any viewset or view asks Wagtail for a policy (it would make a default one).
        register_policies()
        neutralise_spreadsheet_exports()
        engagement_status_changed.connect(on_status_changed,
                                          dispatch_uid="terms_kit.payments.status")
        work_may_start.connect(on_work_may_start, dispatch_uid="terms_kit.pages.booking")
        connect_receivers()  # saves of shown records invalidate the cached public pages
        post_save.connect(on_client_saved, sender=Client,
                          dispatch_uid="terms_kit.payments.waiting_invoices")

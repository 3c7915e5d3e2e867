from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TermsKitConfig(AppConfig):
    name = "terms_kit"
    verbose_name = _("Terms kit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
        from .payments.receivers import on_status_changed
        from .signals import engagement_status_changed

        engagement_status_changed.connect(on_status_changed,
                                          dispatch_uid="terms_kit.payments.status")

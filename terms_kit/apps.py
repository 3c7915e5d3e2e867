from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TermsKitConfig(AppConfig):
    name = "terms_kit"
    verbose_name = _("Terms kit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
        from .admin.spreadsheets import neutralise_spreadsheet_exports
        from .permissions import register_policies

        # Before any viewset or view asks Wagtail for a policy (it would make a default one).
        register_policies()
        neutralise_spreadsheet_exports()

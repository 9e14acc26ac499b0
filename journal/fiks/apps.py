from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiksConfig(AppConfig):
    name = "journal.fiks"
    label = "fiks"
    verbose_name = _("Fiks Arkiv")
    default_auto_field = "django.db.models.BigAutoField"

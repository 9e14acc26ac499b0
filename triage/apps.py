from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .search_sqlite import register

        connection_created.connect(register, dispatch_uid="triage.search_sqlite")

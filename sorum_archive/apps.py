from django.apps import AppConfig


class SorumArchiveConfig(AppConfig):
    name = "sorum_archive"
    verbose_name = "sorum-archive"

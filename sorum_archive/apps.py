from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SorumArchiveConfig(AppConfig):
    # This module holds two configs (the second is axes'): this one is sorum_archive's.
    default = True
    name = "sorum_archive"
    verbose_name = "sorum-archive"

    def ready(self) -> None:
        from django.contrib import admin

        # The admin speaks to the municipality's staff, in their language, under their name.
        admin.site.site_header = _("Sørum kommune · Arkivinnboks")
        admin.site.site_title = _("Sørum kommune · Arkivinnboks")
        admin.site.index_title = _("Administration")


class LoginLockoutConfig(AxesAppConfig):
    """django-axes under a name admins understand (its own app has none: the admin showed «AXES»)."""

    default = False
    verbose_name = _("Login lockout")

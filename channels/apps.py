from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import Channel
        from .selectors import channel_webhook_cache_clear

        post_save.connect(channel_webhook_cache_clear, sender=Channel, dispatch_uid="channel-webhook-cache")
        post_delete.connect(
            channel_webhook_cache_clear, sender=Channel, dispatch_uid="channel-webhook-cache-del"
        )

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sorum_archive.settings")
_full = get_wsgi_application()  # sets Django up before the slim handler loads its middleware

from sorum_archive.webhook_wsgi import WebhookHandler, webhook_dispatcher  # noqa: E402

application = webhook_dispatcher(full=_full, webhook=WebhookHandler())

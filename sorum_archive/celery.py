import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sorum_archive.settings")

app = Celery("sorum_archive")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules inside app sub-packages.
app.autodiscover_tasks(["journal.export"])


@task_prerun.connect
@task_postrun.connect
def database_connections_tidy(sender=None, **kwargs) -> None:
    """Around each task, as Django does around each request: close connections that are broken or older
    than CONN_MAX_AGE, keep the others (CELERY_DB_REUSE_MAX stops Celery's fixup from closing them all)."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # eager tasks run inside the caller's request or transaction
    from django.db import close_old_connections

    close_old_connections()

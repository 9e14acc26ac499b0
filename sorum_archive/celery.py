import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sorum_archive.settings")

app = Celery("sorum_archive")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules inside app sub-packages.
app.autodiscover_tasks(["journal.export"])

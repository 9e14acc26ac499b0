from django.urls import path

from . import public

app_name = "public_journal"

urlpatterns = [
    path("", public.public_journal, name="list"),
    path("rss/", public.PublicJournalFeed(), name="rss"),
    path("atom/", public.PublicJournalAtomFeed(), name="atom"),
    path("dokument/<uuid:system_id>/", public.public_document, name="document"),
]

from django.urls import path

from . import public, public_innsyn

app_name = "public_journal"

urlpatterns = [
    path("", public.public_journal, name="list"),
    path("rss/", public.PublicJournalFeed(), name="rss"),
    path("atom/", public.PublicJournalAtomFeed(), name="atom"),
    path("dokument/<uuid:system_id>/", public.public_document, name="document"),
    path("<uuid:system_id>/innsyn/", public_innsyn.innsyn_request, name="innsyn"),
    path("innsyn/takk/", public_innsyn.innsyn_thanks, name="innsyn_thanks"),
]

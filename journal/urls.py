from django.urls import path

from . import views
from .lists import views as lists
from .registration import views as registration
from .review import views as review
from .work import views as work

app_name = "journal"

urlpatterns = [
    path("saker/", lists.case_list, name="case_list"),
    path("journalposter/", lists.entry_list, name="entry_list"),
    path("restanser/", lists.backlog, name="backlog"),
    path("saker/<int:pk>/", views.case_detail, name="case_detail"),
    path("saker/<int:pk>/avslutt/", views.case_close, name="case_close"),
    path("kontroll/", review.review_queue, name="review_queue"),
    path("kontroll/godkjenn/", review.review_bulk_approve, name="review_bulk_approve"),
    path("journalposter/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("journalposter/<int:pk>/godkjenn/", views.entry_approve, name="entry_approve"),
    path("journalposter/<int:pk>/returner/", views.entry_return, name="entry_return"),
    path("journalposter/<int:pk>/rett/", views.entry_correct, name="entry_correct"),
    path("journalposter/<int:pk>/skjerm/", views.entry_screen, name="entry_screen"),
    path("journalposter/<int:pk>/skjerm/opphev/", views.entry_screening_lift, name="entry_screening_lift"),
    path(
        "journalposter/<int:pk>/skjerm/forslag/",
        views.entry_screen_suggestion,
        name="entry_screen_suggestion",
    ),
    path("journalposter/<int:pk>/arkiver/", views.entry_archive, name="entry_archive"),
    path("journalposter/<int:pk>/utgaar/", views.entry_cancel, name="entry_cancel"),
    path("returnert/", work.returned_list, name="returned_list"),
    path("arbeid/<int:pk>/", work.entry_work, name="entry_work"),
    path("arbeid/<int:pk>/flytt/", work.entry_move, name="entry_move"),
    path("arbeid/<int:pk>/send-inn/", work.entry_resubmit, name="entry_resubmit"),
    path("saker/<int:pk>/ny-journalpost/", registration.entry_register, name="entry_register"),
    path("arbeid/<int:pk>/avskriv/", registration.entry_write_off, name="entry_write_off"),
    path("filer/<uuid:system_id>/", views.document_file, name="document_file"),
]

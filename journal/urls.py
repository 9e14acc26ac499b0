from django.urls import path

from . import views

app_name = "journal"

urlpatterns = [
    path("saker/<int:pk>/", views.case_detail, name="case_detail"),
    path("saker/<int:pk>/avslutt/", views.case_close, name="case_close"),
    path("kontroll/", views.review_queue, name="review_queue"),
    path("journalposter/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("journalposter/<int:pk>/godkjenn/", views.entry_approve, name="entry_approve"),
    path("journalposter/<int:pk>/returner/", views.entry_return, name="entry_return"),
    path("journalposter/<int:pk>/rett/", views.entry_correct, name="entry_correct"),
    path("journalposter/<int:pk>/skjerm/", views.entry_screen, name="entry_screen"),
    path("journalposter/<int:pk>/skjerm/opphev/", views.entry_screening_lift, name="entry_screening_lift"),
    path("journalposter/<int:pk>/arkiver/", views.entry_archive, name="entry_archive"),
    path("journalposter/<int:pk>/utgaar/", views.entry_cancel, name="entry_cancel"),
    path("filer/<uuid:system_id>/", views.document_file, name="document_file"),
]

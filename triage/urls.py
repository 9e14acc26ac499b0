from django.urls import path

from . import views

app_name = "triage"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("min-ko/", views.my_queue, name="my_queue"),
    path("nye/", views.inbox_newer, name="inbox_newer"),
    path("antall/", views.inbox_counts, name="inbox_counts"),
    path("meldinger/<int:pk>/", views.message_detail, name="message_detail"),
    path("vurdering/", views.decide, name="decide"),
    path("vurdering/mange/", views.bulk_decide, name="bulk_decide"),
    path("vurdering/angre/", views.undo, name="undo"),
    path("tildeling/", views.assign, name="assign"),
    path("saker/sok/", views.case_picker_search, name="case_search"),
]

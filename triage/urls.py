from django.urls import path

from . import views

app_name = "triage"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("meldinger/<int:pk>/", views.message_detail, name="message_detail"),
]

from django.urls import path

from . import views

app_name = "channels"

urlpatterns = [
    path("<slug:slug>/webhook/", views.webhook, name="webhook"),
    path("vedlegg/<int:pk>/", views.attachment_download, name="attachment"),
]

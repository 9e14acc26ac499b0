from django.urls import path

from . import views

app_name = "export"

urlpatterns = [
    path("", views.export_list, name="list"),
    path("<int:pk>/", views.export_detail, name="detail"),
    path("<int:pk>/status/", views.export_status, name="status"),
    path("<int:pk>/last-ned/", views.export_download, name="download"),
    path("perioder/", views.period_list, name="periods"),
]

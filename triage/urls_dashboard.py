from django.urls import path

from . import views_dashboard

app_name = "dashboard"

urlpatterns = [
    path("", views_dashboard.dashboard, name="index"),
    path("csv/", views_dashboard.dashboard_csv_download, name="csv"),
]

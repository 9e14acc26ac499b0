from django.urls import path

from . import views

app_name = "fiks"

urlpatterns = [
    path("", views.dispatch_list, name="dispatch_list"),
    path("<int:pk>/prov-igjen/", views.dispatch_retry, name="dispatch_retry"),
]

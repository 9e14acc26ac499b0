from django.urls import path

from . import views

app_name = "journal"

urlpatterns = [
    path("saker/<int:pk>/", views.case_detail, name="case_detail"),
    path("kontroll/", views.review_queue, name="review_queue"),
]

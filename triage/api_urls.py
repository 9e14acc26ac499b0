from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("messages/", api.MessageListApi.as_view(), name="message_list"),
    path("messages/<int:pk>/", api.MessageDetailApi.as_view(), name="message_detail"),
    path("decisions/", api.DecisionCreateApi.as_view(), name="decision_create"),
    path("cases/", api.CaseListApi.as_view(), name="case_list"),
    path("cases/create/", api.CaseCreateApi.as_view(), name="case_create"),
]

"""The real URL conf plus one small read-only API, so the schemathesis harness is proven to exercise
operations even before the product API lands."""

from django.urls import include, path
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from sorum_archive.urls import urlpatterns as product_urlpatterns
from triage.models import Message


class ProbeMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "text", "author_name", "status", "received_at"]


class ProbeMessageViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProbeMessageSerializer
    queryset = Message.objects.order_by("-id")


router = SimpleRouter()
router.register("probe/messages", ProbeMessageViewSet, basename="probe-message")

urlpatterns = [path("api/", include(router.urls)), *product_urlpatterns]

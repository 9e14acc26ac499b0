"""Project URLs plus `/bench/bare/`: the machine's ceiling, a view doing json.loads + one INSERT."""

import json

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from channels.models import InboundEvent


@csrf_exempt
def bare_insert(request: HttpRequest, channel_id: int) -> JsonResponse:
    json.loads(request.body)
    # Stored as "ignored" so the relay and the worker leave the ceiling's rows alone.
    event = InboundEvent.objects.create(
        channel_id=channel_id, body=request.body, body_size=len(request.body), status="ignored"
    )
    return JsonResponse({"event": event.pk})


urlpatterns = [
    path("bench/bare/<int:channel_id>/", bare_insert),
    path("", include("sorum_archive.urls")),
]

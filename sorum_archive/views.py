from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .roles import landing_url

logger = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    """Django's login; without a safe ``next`` each role lands where its work is (roles.landing_url)."""

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("healthz.database_down", exc_info=True)
        return False


def _redis_ok() -> bool:
    try:
        cache.set("healthz", "1", timeout=5)
        return cache.get("healthz") == "1"
    except Exception:
        logger.warning("healthz.redis_down", exc_info=True)
        return False


def _may_see_details(request: HttpRequest) -> bool:
    """Staff, or a caller presenting settings.SORUM_HEALTHZ_TOKEN as a bearer token (monitoring)."""
    if request.user.is_authenticated and request.user.is_staff:
        return True
    token = settings.SORUM_HEALTHZ_TOKEN
    presented = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(presented.encode(), f"Bearer {token}".encode())


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and Redis (503 when one is down). `?channels=1` adds each channel's health for staff or a
    token holder; a channel's trouble never turns the web tier unhealthy (it is reported, not a 503)."""
    sections = [name for name in settings.SORUM_HEALTHZ_SECTIONS if request.GET.get(name)]
    if sections and not _may_see_details(request):
        return JsonResponse({"error": "forbidden"}, status=403)
    checks = {"database": "ok" if _database_ok() else "down"}
    if settings.REDIS_URL:
        checks["redis"] = "ok" if _redis_ok() else "down"
    healthy = all(value == "ok" for value in checks.values())
    body: dict = {"status": "ok" if healthy else "down", **checks}
    if healthy:
        for name in sections:
            body[name] = import_string(settings.SORUM_HEALTHZ_SECTIONS[name])()
    return JsonResponse(body, status=200 if healthy else 503)


# RFC 9309: the longest matching rule wins, and Allow wins a tie. Crawlers may fetch the public journal's
# first page and the guestbook; search results, other pages, feeds, documents and the innsyn form are not
# crawled, and every page that carries names of persons also answers `X-Robots-Tag: noindex`
# (offentlegforskrifta § 6 fourth paragraph: names in entries older than one year must not be searchable
# from outside). Everything else is staff-only.
ROBOTS_TXT = """\
# Sørum kommune: offentlig journal (robots.txt, RFC 9309)
User-agent: *
Allow: /offentlig-journal/$
Allow: /gjestebok/
Disallow: /offentlig-journal/*?
Disallow: /offentlig-journal/rss/
Disallow: /offentlig-journal/atom/
Disallow: /offentlig-journal/dokument/
Disallow: /offentlig-journal/innsyn/
Disallow: /offentlig-journal/*/innsyn/
Disallow: /
"""


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")

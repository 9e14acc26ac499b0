from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


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


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": "ok" if _database_ok() else "down"}
    if settings.REDIS_URL:
        checks["redis"] = "ok" if _redis_ok() else "down"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "down", **checks}, status=200 if healthy else 503)


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

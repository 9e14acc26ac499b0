"""The inbox on the generator's realistic data set: every channel kind, 82 % decided, cases and entries.

bench/inbox.py measures on its own tagged COPY-loaded set; this script repeats the page, filter and search
workloads on what `bench/generate.py` loaded into the same database (run it first), for the demo caseworker
(own sections) and the demo admin (all sections), each next to the same SQL sent raw.

    DATABASE_URL=postgres://... python bench/generate.py --messages 1000000
    DATABASE_URL=postgres://... python bench/inbox_realistic.py
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import django_setup, require_services  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="requests per workload")
    args = parser.parse_args()
    require_services()
    django_setup()
    from django.contrib.auth import get_user_model

    from bench.inbox import Server, _record_with_ceiling
    from channels.models import Channel
    from triage.models import Message

    logging.getLogger("sorum_archive.audit").setLevel(logging.WARNING)
    total = Message.objects.filter(external_id__startswith="gen-").count()
    if not total:
        sys.exit("no generated messages: run bench/generate.py against this database first")
    print(f"generated messages in the database: {total:,}")
    users = get_user_model().objects
    channel = Channel.objects.filter(slug__startswith="gen-").order_by("slug").first()
    workloads = {
        "first page": ("/", 50),
        "filter status=new": ("/?status=new", 50),
        f"filter channel={channel.slug}": (f"/?channel={channel.pk}", 50),
        "search q='brøytingen'": ("/?q=brøytingen", 100),
        "search q='gatelyset Blaker'": ("/?q=gatelyset+Blaker", 100),
        "search q='reguleringsplanen -Fjuk'": ("/?q=reguleringsplanen+-Fjuk", 100),
        "search q='xyzzy'": ("/?q=xyzzy", 100),
    }
    people = (("caseworker", users.get(username="saksbehandler")), ("admin", users.get(username="admin")))
    for who, user in people:
        client = Server(user)
        for label, (url, target_ms) in workloads.items():
            _record_with_ceiling(
                f"inbox, realistic {total:,} ({who}): {label}",
                client,
                url,
                args.n,
                target_ms=target_ms,
                target=f"p95 < {target_ms} ms",
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

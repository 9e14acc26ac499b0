"""Print everything stored about one citizen's messages as JSON (by phone number, handle or e-mail)."""

import json

from django.core.management.base import BaseCommand

from triage.retention import personal_data_export


class Command(BaseCommand):
    help = "Export a citizen's messages as JSON: personal_data_export <phone|handle|e-mail>"

    def add_arguments(self, parser):
        parser.add_argument("identifier")

    def handle(self, *args, identifier: str, **options):
        data = personal_data_export(identifier=identifier)
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

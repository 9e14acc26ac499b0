"""Erase one citizen's messages that are not archive material (by phone number, handle or e-mail)."""

from django.core.management.base import BaseCommand

from triage.retention import personal_data_erase


class Command(BaseCommand):
    help = "Erase a citizen's messages that are not journalført: personal_data_erase <phone|handle|e-mail>"

    def add_arguments(self, parser):
        parser.add_argument("identifier")

    def handle(self, *args, identifier: str, **options):
        result = personal_data_erase(identifier=identifier)
        self.stdout.write(f"erased={result.erased} kept_archived={result.kept_archived}")

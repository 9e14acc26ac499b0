import logging

from django.core.management.base import BaseCommand

from sorum_archive.demo import DEMO_USERS, seed_demo


class Command(BaseCommand):
    help = "Load realistic Norwegian demo data over every channel kind (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--messages", type=int, default=60, help="number of demo messages (default 60)")

    def handle(self, *args, messages: int, **options) -> None:
        # Each service logs its steps (and the development key's warning): the command prints one summary
        # line instead. Errors still show.
        logging.disable(logging.WARNING)
        try:
            counts = seed_demo(messages=messages, story=True)
        finally:
            logging.disable(logging.NOTSET)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {counts}"))
        self.stdout.write("Demo users (username / password / role):")
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.username:<14} {user.password:<20} {user.group}")

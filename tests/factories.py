from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from channels.models import Channel
from journal.models import Case, Document, JournalEntry
from sorum_archive.roles import ADMIN, ARCHIVIST, CASEWORKER, role_groups_ensure
from triage.models import Conversation, Message, Section

PASSWORD = "korrekt-hest-batteri-42"


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"seksjon-{n}")
    name = factory.Sequence(lambda n: f"Seksjon {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"bruker{n}")
    first_name = "Kari"
    last_name = "Nordmann"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            role_groups_ensure()  # transactional tests flush the groups the data migration made
            self.groups.add(Group.objects.get(name=extracted))
            if extracted == ADMIN:
                self.is_staff = True
        self.save()

    @factory.post_generation
    def sections(self, create, extracted, **kwargs):
        for section in extracted or ():
            section.members.add(self)


def caseworker(*sections: Section, **kwargs):
    return UserFactory(role=CASEWORKER, sections=sections, **kwargs)


def archivist(**kwargs):
    return UserFactory(role=ARCHIVIST, **kwargs)


def admin(**kwargs):
    return UserFactory(role=ADMIN, **kwargs)


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    kind = "website_comments"
    slug = factory.Sequence(lambda n: f"kanal-{n}")
    name = factory.Sequence(lambda n: f"Kanal {n}")
    section = factory.SubFactory(SectionFactory)
    secret = "test-secret"


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    channel = factory.SubFactory(ChannelFactory)
    external_key = factory.Sequence(lambda n: f"thread-{n}")


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    channel = factory.SubFactory(ChannelFactory)
    conversation = factory.LazyAttribute(lambda o: ConversationFactory(channel=o.channel))
    section = factory.LazyAttribute(lambda o: o.channel.section)
    external_id = factory.Sequence(lambda n: f"ext-{n}")
    author_name = "Ingrid Bakken"
    author_handle = "ingrid.bakken@example.no"
    text = "Når blir det brøytet i Lundsvegen?"
    sent_at = factory.LazyFunction(timezone.now)


class CaseFactory(factory.django.DjangoModelFactory):
    """Cases get numbers through the service in real use; tests use high sequence numbers to stay clear."""

    class Meta:
        model = Case

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    sequence_number = factory.Sequence(lambda n: 9000 + n)
    title = factory.Sequence(lambda n: f"Sak {n}")
    section = factory.SubFactory(SectionFactory)
    created_by = factory.SubFactory(UserFactory)


class JournalEntryFactory(factory.django.DjangoModelFactory):
    """Entries get numbers through the service in real use; tests use high sequence numbers."""

    class Meta:
        model = JournalEntry

    case = factory.SubFactory(CaseFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    sequence_number = factory.Sequence(lambda n: 90000 + n)
    number_in_case = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Henvendelse {n}")
    registered_by = factory.SubFactory(UserFactory)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    entry = factory.SubFactory(JournalEntryFactory)
    title = "Chatmelding"
    number = factory.Sequence(lambda n: n + 1)

"""message_detail_get: the message page's data, only for a message the user may see."""

from __future__ import annotations

import pytest

from journal.services import case_create
from tests.factories import MessageFactory, SectionFactory, admin, caseworker
from triage.models import Message
from triage.selectors import message_detail_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def section():
    return SectionFactory(code="teknisk", name="Teknisk drift")


def test_the_detail_holds_thread_history_colleagues_and_named_cases(section):
    worker = caseworker(section)
    case = case_create(title="Brøyting", section=section, created_by=worker)
    first = MessageFactory(section=section, author_handle="ola", text="Vegen er ikke brøytet")
    message = MessageFactory(
        section=section,
        channel=first.channel,
        conversation=first.conversation,
        author_handle="ola",
        text=f"Gjelder sak {case.year}/{case.sequence_number}",
    )
    detail = message_detail_get(user=worker, pk=message.pk)
    assert detail.message == message
    assert [m.pk for m in detail.thread] == [first.pk, message.pk]
    assert [m.pk for m in detail.previous] == [first.pk]
    assert list(detail.colleagues) == [worker]
    assert [item.case_id for item in detail.suggested_cases] == [case.pk]
    assert detail.decisions == []
    assert detail.show_raw_event is False  # caseworkers do not see raw provider events


def test_a_message_of_another_section_is_not_found(section):
    other = MessageFactory(section=SectionFactory(code="oppvekst"))
    with pytest.raises(Message.DoesNotExist):
        message_detail_get(user=caseworker(section), pk=other.pk)


def test_the_raw_event_is_shown_only_with_the_permission(section):
    from channels.models import InboundEvent

    message = MessageFactory(section=section)
    message.inbound_event = InboundEvent.objects.create(channel=message.channel, body=b"{}")
    message.save(update_fields=["inbound_event"])
    assert message_detail_get(user=caseworker(section), pk=message.pk).show_raw_event is False
    assert message_detail_get(user=admin(), pk=message.pk).show_raw_event is True

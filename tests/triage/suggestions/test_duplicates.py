from __future__ import annotations

from datetime import UTC, datetime, timedelta

from triage.suggestions.duplicates import MessageText, find_duplicates, similarity

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TEXT = "Hullet i veien ved Fenstad er blitt enda større, noen kommer til å skade seg!"


def message(pk, text=TEXT, name="Ingrid Bakken", handle="ingrid.bakken@example.no", channel="SMS", hours=0):
    return MessageText(
        message_id=pk,
        author_name=name,
        author_handle=handle,
        text=text,
        channel_name=channel,
        received_at=NOW + timedelta(hours=hours),
    )


def test_same_author_same_text_on_another_channel_is_a_duplicate():
    original = message(1)
    copies = [
        message(
            2, text=TEXT.upper() + " https://sorum.kommune.no", handle="@ingridb", channel="Facebook", hours=2
        ),
        message(3, text=TEXT.replace("større", "storre"), channel="Chat", hours=-5),
    ]
    found = find_duplicates(original, copies)
    assert [duplicate.message_id for duplicate in found] == [3, 2]
    assert found[1].channel_name == "Facebook"
    assert all(duplicate.similarity >= 0.9 for duplicate in found)


def test_other_authors_different_text_short_text_and_anonymous_are_not_grouped():
    original = message(1)
    others = [
        message(2, name="Per Hansen", handle="+4791234567"),
        message(3, text="Når blir det brøytet i Lundsvegen? Det er umulig å komme frem."),
        message(4, text="Takk!"),
    ]
    assert find_duplicates(original, others) == ()
    anonymous = message(5, name="Anonym", handle="")
    assert find_duplicates(anonymous, [message(6, name="anonym", handle="")]) == ()
    assert find_duplicates(message(7, text="Takk!"), [message(8, text="Takk!")]) == ()


def test_similarity_is_normalised_and_bounded():
    assert similarity(TEXT, "  " + TEXT.lower() + "!!! ") == 1.0
    assert similarity(TEXT, "Noe helt annet om biblioteket og åpningstider.") < 0.9
    long_text = "brøyting " * 5000
    assert similarity(long_text, long_text + "x") == 1.0

"""Property tests over every adapter in the registry: parse never crashes on arbitrary input, and text
survives the round trip through a signed delivery (for kinds with a payload builder)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.adapters import ADAPTERS
from channels.adapters.base import AdapterError, ParseResult
from tests.channels.helpers import request_for
from tests.security.adapter_payloads import PAYLOAD_BUILDERS

KINDS = sorted(ADAPTERS)
BUILT_KINDS = sorted(kind for kind in ADAPTERS if kind in PAYLOAD_BUILDERS)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=25,
)
PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _parse_or_adapter_error(kind: str, body: bytes, content_type: str) -> None:
    adapter = ADAPTERS[kind]
    try:
        result = adapter.parse(request_for(body, content_type=content_type))
    except AdapterError:
        return
    assert isinstance(result, ParseResult)
    for message in result.messages:
        assert message.sent_at.tzinfo is not None
        assert isinstance(message.text, str)
        assert message.external_id


@pytest.mark.parametrize("kind", KINDS)
@PROPERTY_SETTINGS
@given(body=st.binary(max_size=400))
def test_parse_survives_arbitrary_bytes(kind, body):
    _parse_or_adapter_error(kind, body, ADAPTERS[kind].content_types[0])


@pytest.mark.parametrize("kind", KINDS)
@PROPERTY_SETTINGS
@given(value=json_values)
def test_parse_survives_arbitrary_json(kind, value):
    _parse_or_adapter_error(kind, json.dumps(value).encode(), ADAPTERS[kind].content_types[0])


@pytest.mark.parametrize("kind", KINDS)
@PROPERTY_SETTINGS
@given(
    value=st.dictionaries(
        st.sampled_from(
            [
                "id",
                "type",
                "post",
                "content",
                "date_gmt",
                "object",
                "entry",
                "from",
                "text",
                "Body",
                "From",
                "MessageSid",
            ]
        ),
        json_values,
        max_size=8,
    )
)
def test_parse_survives_plausible_keys_with_wrong_types(kind, value):
    _parse_or_adapter_error(kind, json.dumps(value).encode(), ADAPTERS[kind].content_types[0])


@pytest.mark.parametrize("kind", BUILT_KINDS)
@PROPERTY_SETTINGS
@given(text=st.text(min_size=1, max_size=300).filter(lambda t: t.strip()), author=st.text(max_size=40))
def test_text_survives_a_signed_delivery(kind, text, author):
    delivery = PAYLOAD_BUILDERS[kind](text=text, author_name=author, external_id="4242", secret="s")
    headers = {name[5:].replace("_", "-").lower(): value for name, value in delivery.headers.items()}
    request = request_for(delivery.body, content_type=delivery.content_type, headers=headers)

    result = ADAPTERS[kind].parse(request)

    assert [m.text for m in result.messages] == [text]
    assert result.messages[0].external_id.endswith("4242")

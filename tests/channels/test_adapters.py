"""Meta-tests over the registry: fixtures, declared event types and parse robustness for every adapter."""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from channels.adapters import ADAPTERS
from channels.adapters.base import (
    AdapterError,
    ChannelAdapter,
    ChannelConfig,
    VerificationFailed,
    WebhookRequest,
)

from .helpers import FIXTURES, NOW, fixture_bytes, fixture_names, fixture_request, request_for

WEBHOOK_KINDS = sorted(kind for kind in ADAPTERS if (FIXTURES / kind).is_dir())
ALL_FIXTURES = [(kind, name) for kind in WEBHOOK_KINDS for name in sorted(fixture_names(kind))]

PROPERTY = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

# Per-fixture mutations run for each of ~30 fixtures, so fewer examples each keep the suite fast.
PER_FIXTURE = settings(PROPERTY, max_examples=40)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)


def test_every_kind_with_fixtures_has_a_test_module_that_uses_each_fixture():
    for kind in WEBHOOK_KINDS:
        source = (Path(__file__).parent / f"test_{kind}.py").read_text(encoding="utf-8")
        unused = {name for name in fixture_names(kind) if name not in source}
        assert not unused, f"{kind}: fixtures no test uses: {sorted(unused)}"


@pytest.mark.parametrize("kind", WEBHOOK_KINDS)
def test_every_declared_event_type_has_a_fixture(kind):
    covered = {name.split("__")[0] for name in fixture_names(kind)}
    assert set(ADAPTERS[kind].event_types) <= covered


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
def test_handled_and_ignored_event_types_do_not_overlap(kind):
    adapter = ADAPTERS[kind]
    assert not set(adapter.event_types) & set(adapter.ignored_event_types)
    assert adapter.setup_note


@pytest.mark.parametrize(("kind", "name"), ALL_FIXTURES)
def test_parse_emits_only_declared_event_types(kind, name):
    adapter = ADAPTERS[kind]
    result = adapter.parse(fixture_request(kind, name))
    assert result.event_type in adapter.event_types
    assert {message.event_type for message in result.messages} <= set(adapter.event_types)


@pytest.mark.parametrize(("kind", "name"), ALL_FIXTURES)
def test_fixture_content_type_is_accepted_by_its_adapter(kind, name):
    assert fixture_request(kind, name).content_type in ADAPTERS[kind].content_types


def _parse_only_raises_adapter_errors(adapter: ChannelAdapter, request) -> None:
    """Any other exception propagates and fails the property."""
    with contextlib.suppress(AdapterError):
        adapter.parse(request)


def _requests(kind: str, body: bytes):
    """The body as each of the kind's content types, with the event header providers send."""
    adapter = ADAPTERS[kind]
    for content_type in adapter.content_types:
        for event in {*adapter.event_types, "other"}:
            headers = {"X-Discourse-Event": event, "PSW-Message-type": "MO"}
            yield replace(request_for(body, content_type=content_type, headers=headers), now=NOW)


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
@PROPERTY
@given(body=st.binary(max_size=400))
def test_no_byte_string_makes_parse_raise_anything_else(kind, body):
    for request in _requests(kind, body):
        _parse_only_raises_adapter_errors(ADAPTERS[kind], request)


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
@PROPERTY
@given(value=json_values)
def test_no_json_structure_makes_parse_raise_anything_else(kind, value):
    body = json.dumps(value).encode()
    for request in _requests(kind, body):
        _parse_only_raises_adapter_errors(ADAPTERS[kind], request)


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*path, index))


def _replaced(value, path, new):
    if not path:
        return new
    head, *rest = path
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replaced(value[head], rest, new)
    return copy


JSON_FIXTURES = [(kind, name) for kind, name in ALL_FIXTURES if name.endswith(".json")]


@pytest.mark.parametrize(("kind", "name"), JSON_FIXTURES)
@PER_FIXTURE
@given(data=st.data())
def test_fixture_with_any_part_replaced_never_crashes_parse(kind, name, data):
    """Real payloads with one subtree swapped for arbitrary JSON: deep paths, not only the top level."""
    original = json.loads(fixture_bytes(kind, name))
    paths = list(_paths(original))
    path = data.draw(st.sampled_from(paths))
    mutated = _replaced(original, path, data.draw(json_values))
    request = replace(fixture_request(kind, name), body=json.dumps(mutated).encode())
    _parse_only_raises_adapter_errors(ADAPTERS[kind], request)


FORM_FIXTURES = [(kind, name) for kind, name in ALL_FIXTURES if not name.endswith(".json")]


@pytest.mark.parametrize(("kind", "name"), FORM_FIXTURES)
@PER_FIXTURE
@given(data=st.data())
def test_form_fixture_with_any_field_replaced_never_crashes_parse(kind, name, data):
    body = fixture_bytes(kind, name)
    if body.lstrip().startswith(b"<"):
        fields = body.split(b">")
        index = data.draw(st.integers(0, len(fields) - 1))
        fields[index] = data.draw(st.binary(max_size=30))
        mutated = b">".join(fields)
    else:
        fields = body.split(b"&")
        index = data.draw(st.integers(0, len(fields) - 1))
        key = fields[index].partition(b"=")[0]
        fields[index] = key + b"=" + data.draw(st.binary(max_size=30))
        mutated = b"&".join(fields)
    _parse_only_raises_adapter_errors(ADAPTERS[kind], replace(fixture_request(kind, name), body=mutated))


# Every header any adapter reads, so random values reach the verification code paths.
SIGNATURE_HEADERS = [
    "x-hub-signature-256",
    "x-hub-signature",
    "x-twitter-webhooks-signature",
    "x-twilio-signature",
    "x-chatwoot-timestamp",
    "x-chatwoot-signature",
    "x-rocketchat-livechat-token",
    "x-discourse-event-signature",
    "x-sorum-signature",
]
PROVIDER_OPTIONS = [{}] + [
    {"provider": provider, "allowed_ips": ["10.0.0.0/8"]}
    for provider in ("twilio", "pswincom", "sveve", "chatwoot", "intercom", "rocketchat")
]
# Header values arrive decoded as ISO-8859-1, so any code point below 256 can appear.
header_text = st.text(alphabet=st.characters(max_codepoint=255), max_size=40)


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
@PROPERTY
@given(
    body=st.binary(max_size=200),
    headers=st.dictionaries(st.sampled_from(SIGNATURE_HEADERS), header_text, max_size=4),
    token=header_text,
    remote_addr=st.sampled_from(["", "10.1.2.3", "::1", "not-an-ip"]),
    options=st.sampled_from(PROVIDER_OPTIONS),
)
@example(
    body=b"{}",
    headers={"x-chatwoot-timestamp": "\u00b2", "x-chatwoot-signature": "x"},
    token="",
    remote_addr="",
    options={"provider": "chatwoot"},
)
def test_verify_raises_only_verification_failed(kind, body, headers, token, remote_addr, options):
    request = WebhookRequest(
        method="POST",
        url="https://sorum-archive.example/channels/x/webhook/?token=t",
        headers={"content-type": ADAPTERS[kind].content_types[0], **headers},
        query={"token": token},
        body=body,
        remote_addr=remote_addr,
        now=NOW,
    )
    config = ChannelConfig(slug="x", secrets=("secret",), options=options)
    with contextlib.suppress(VerificationFailed):
        ADAPTERS[kind].verify(request, config)


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("sms", b"MessageSid=SM1&From=%2B4791234567&Body=x&NumMedia=%C2%B2"),
        ("sms", b"number=%C2%B2&msg=x"),
        (
            "twitter",
            b'{"for_user_id": "1", "direct_message_events": [{"type": "message_create", "id": "1", '
            b'"created_timestamp": "\\u00b2", "message_create": {"sender_id": "2", '
            b'"target": {"recipient_id": "1"}, "message_data": {"text": "x"}}}]}',
        ),
    ],
)
def test_unicode_digits_are_malformed_not_a_crash(kind, body):
    """str.isdigit() accepts "²", which int() refuses: numbers are checked as ASCII digits."""
    content_type = "application/json" if body.startswith(b"{") else "application/x-www-form-urlencoded"
    _parse_only_raises_adapter_errors(
        ADAPTERS[kind], replace(request_for(body, content_type=content_type), now=NOW)
    )

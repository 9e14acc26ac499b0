"""The corpus of real provider deliveries (tests/channels/fixtures/SOURCES.md), each through the webhook and
through `ingest_payload`, with the expected result written down per payload (issue 16).

A row names the payload, the channel it arrives on, the event status it must end in and every message it
must leave in the inbox (external id, direction, deleted mark, a piece of its text, attachment rows). A
payload that must create nothing says so with an empty list and, where parsing records why, a piece of
the event's notes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.urls import reverse

from channels.adapters.base import form_pairs
from channels.models import InboundEvent, MessageAttachment
from tests.factories import ChannelFactory
from triage.models import Message

from .helpers import FIXTURES, FORM

pytestmark = pytest.mark.django_db

HOST = "sorum-archive.example"
SECRET = "corpus-secret"
DISCOURSE_INSTANCE = "https://forum.sorum.example"


@dataclass(frozen=True)
class M:
    """One message the payload must leave in the inbox."""

    external_id: str
    direction: str = "in"
    deleted: bool = False
    text: str = ""  # must occur in the stored text
    attachments: int = 0


@dataclass(frozen=True)
class E:
    path: str  # under tests/channels/fixtures/
    kind: str
    provider: str = ""
    status: str = "parsed"
    messages: tuple[M, ...] = ()
    notes: str = ""  # must occur in the event's notes
    headers: dict = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        body = (FIXTURES / self.path).read_bytes()
        if self.path.endswith(".json"):
            return "application/json"
        return "application/xml" if body.lstrip().startswith(b"<") else FORM

    @property
    def id(self) -> str:
        return self.path.replace("/", ":")


# The headers Discourse sent with the koishi captures (Anillc/koishi-plugin-adapter-discourse src/index.ts).
KOISHI = {
    "User-Agent": "Discourse/2.9.0.beta4",
    "X-Discourse-Instance": "http://forum.a",
    "X-Discourse-Event-Type": "post",
    "X-Discourse-Event": "post_created",
}

FB = "facebook"
TW = "twitter"
CHAT = "chat"

CORPUS = [
    # Meta: Page feed and Messenger -------------------------------------------------------------------
    E(
        "facebook/feed__comment_add.json",
        FB,
        messages=(M("122131676912594941_1213590066982748", text="gang- og sykkelveien"),),
    ),
    E(
        "facebook/feed__comment_add_reply.json",
        FB,
        messages=(M("122131676912594941_1213590066999999", text="busslommen"),),
    ),
    E(
        "facebook/feed__comment_edited.json",
        FB,
        messages=(M("122131676912594941_1213590066982748", text="Fetveien"),),
    ),
    # A removal of a comment never seen: recorded on the event, nothing in the inbox.
    E("facebook/feed__comment_remove.json", FB, messages=(), notes="before it was seen"),
    E(
        "corpus/facebook/feed__comment_remove_without_created_time_derived.json",
        FB,
        notes="before it was seen",
    ),
    E(
        "corpus/facebook/feed__comment_add_with_photo_derived.json",
        FB,
        messages=(M("122131676912594941_1213590066999001", text="hullet", attachments=1),),
    ),
    E(
        "corpus/facebook/feed__comment_add_by_page_derived.json",
        FB,
        messages=(M("122131676912594941_1213590067000002", direction="out", text="ferdig i juni"),),
    ),
    E(
        "corpus/facebook/feed__comment_add_sender_shape_derived.json",
        FB,
        messages=(M("122131676912594941_1213590067000003", text="Fetveien"),),
    ),
    E(
        "facebook/messages__duplicate_in_batch.json",
        FB,
        messages=(M("m_duplicate_in_batch_0001", text="Takk"),),
    ),
    E(
        "facebook/messages__text_with_image.json",
        FB,
        messages=(
            M(
                "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P",
                text="vannlekkasje",
                attachments=1,
            ),
        ),
    ),
    E("corpus/facebook/messages__hello_courier.json", FB, messages=(M("external_id", text="Hello World"),)),
    E("corpus/facebook/messages__attachment_courier.json", FB, messages=(M("external_id", attachments=1),)),
    E("corpus/facebook/messages__sticker_courier.json", FB, messages=(M("external_id", attachments=1),)),
    E(
        "corpus/facebook/messages__location_courier.json",
        FB,
        messages=(M("external_id", text="geo:1.2,-1.3"),),
    ),
    E(
        "corpus/facebook/messages__fallback_courier.json",
        FB,
        messages=(M("external_id", text="Foo\nMy Documents/foo.doc"),),
    ),
    E(
        "corpus/facebook/messages__fallback_payload_string_derived.json",
        FB,
        messages=(M("external_id", text="Se denne lenken\nhttps://example.no/delt-lenke"),),
    ),
    E(
        "corpus/facebook/messages__fallback_payload_null_derived.json",
        FB,
        messages=(M("external_id", text="Se denne lenken\nDelt lenke"),),
    ),
    # An echo with no reply of this system's behind it (the Page wrote in Meta Business Suite).
    E("corpus/facebook/messages__echo_courier.json", FB, messages=(M("qT7ywaK", direction="out"),)),
    E(
        "corpus/facebook/messages__echo_with_metadata_derived.json",
        FB,
        messages=(M("qT7ywaK", direction="out", text="vi ser på saken"),),
    ),
    # An edit or unsend of a message never seen creates nothing new that is empty.
    E("corpus/facebook/messages__is_deleted_derived.json", FB, notes="before it was seen"),
    E(
        "corpus/facebook/messages__message_edit_derived.json",
        FB,
        messages=(M("external_id", text="Hello World, edited"),),
    ),
    E("corpus/facebook/messages__delivery_courier.json", FB, notes="delivered (no reply in the outbox"),
    E("corpus/facebook/messages__postback_courier.json", FB, status="ignored"),
    E("corpus/facebook/messages__postback_get_started_courier.json", FB, status="ignored"),
    E("corpus/facebook/messages__optin_courier.json", FB, status="ignored"),
    # Courier refuses a sender that is not a number; a PSID is opaque here and the text is kept.
    E(
        "corpus/facebook/messages__non_numeric_sender_courier.json",
        FB,
        messages=(M("external_id", text="Hello World"),),
    ),
    E("corpus/facebook/messages__referral_courier.json", FB, status="ignored"),
    E("corpus/facebook/messages__unknown_entry_courier.json", FB, status="ignored"),
    E("corpus/facebook/messages__no_entries_courier.json", FB, status="ignored"),
    E("corpus/facebook/messages__unsent_ig_courier.json", FB, status="ignored"),
    # Courier drops a message whose recipient is not the entry's page; the entry names this Page and the
    # text is a citizen's, so it is kept.
    E(
        "corpus/facebook/messages__different_page_courier.json",
        FB,
        messages=(M("external_id", text="Hello World"),),
    ),
    # An Instagram reel shared into Messenger is a link to public content, not a file: its (relative)
    # link is kept as text, like courier's `fallback` document path.
    E(
        "corpus/facebook/messages__ig_reel_courier.json",
        FB,
        messages=(M("external_id", text="/reel/123451234512345/"),),
    ),
    E("corpus/facebook/messages__postback_referral_courier.json", FB, status="ignored"),
    E("corpus/facebook/messages__notification_optin_courier.json", FB, status="ignored"),
    E("corpus/facebook/messages__notification_optout_courier.json", FB, status="ignored"),
    E("corpus/facebook/messages__optin_user_ref_courier.json", FB, status="ignored"),
    # X Account Activity ------------------------------------------------------------------------------
    E(
        "twitter/tweet_create_events__mention.json",
        TW,
        messages=(M("tweet:1205348660982083584", text="test of Twitter API webhooks"),),
    ),
    E("twitter/tweet_delete_events__mention_deleted.json", TW, notes="before it was seen"),
    E(
        "twitter/direct_message_events__inbound_with_media.json",
        TW,
        messages=(
            M(
                "dm:1063077238797725700",
                text="https://twitter.com/messages/media/1063077238797725700",
                attachments=1,
            ),
        ),
    ),
    E(
        "corpus/twitter/tweet_create_events__mention_with_url_zammad.json",
        TW,
        messages=(M("tweet:1209099545700786176", text="@ScruffyMcG https://zammad.org/"),),
    ),
    # A plain retweet says nothing to the municipality (docs/channels.md).
    E("corpus/twitter/tweet_create_events__retweet_zammad.json", TW, messages=()),
    E(
        "corpus/twitter/direct_message_events__outgoing_zammad.json",
        TW,
        messages=(M("dm:1206724203514228741", direction="out", text="banana"),),
    ),
    E(
        "corpus/twitter/tweet_create_events__video_derived.json",
        TW,
        messages=(M("tweet:1220000000000000001", attachments=1),),
    ),
    E(
        "corpus/twitter/direct_message_events__incoming_with_url_zammad.json",
        TW,
        messages=(
            M("dm:1209004344399429636", text="https://en.wikipedia.org/wiki/Frankenstein#Composition"),
        ),
    ),
    E("corpus/twitter/favorite_events__favorited_zammad.json", TW, status="ignored"),
    E("corpus/twitter/direct_message_indicate_typing_events__zammad.json", TW, status="ignored"),
    E("corpus/twitter/direct_message_mark_read_events__zammad.json", TW, status="ignored"),
    # SMS -----------------------------------------------------------------------------------------------
    E(
        "sms/twilio.inbound__courier.txt",
        "sms",
        "twilio",
        messages=(M("SMe287d7109a5a925f182f0e07fe5b223b", text="Msg", attachments=2),),
    ),
    E(
        "sms/twilio.inbound__mms_no.txt",
        "sms",
        "twilio",
        messages=(M("SM9f3c2b1a0e8d7c6b5a4f3e2d1c0b9a8f", text="Blaker skole", attachments=1),),
    ),
    E("sms/twilio.status__delivered.txt", "sms", "twilio", notes="delivered (no reply in the outbox"),
    E(
        "corpus/sms/twilio.inbound__base64_body_courier.txt",
        "sms",
        "twilio",
        # Kept as received: the body is what the citizen's phone sent, not decoded on a guess.
        messages=(M("SMe287d7109a5a925f182f0e07fe5b223b", text="QmFubm9uIEV4cGxhaW5z"),),
    ),
    E("corpus/sms/twilio.status__delivered_courier.txt", "sms", "twilio", notes="delivered (no reply"),
    E("corpus/sms/twilio.status__failed_stop_courier.txt", "sms", "twilio", notes="failed (no reply"),
    E(
        "corpus/sms/twilio.status__sent_messaging_service_courier.txt",
        "sms",
        "twilio",
        notes="sent (no reply",
    ),
    E("corpus/sms/twilio.status__unknown_status_courier.txt", "sms", "twilio", notes="huh (no reply"),
    E(
        "corpus/sms/twilio.inbound__valid_courier.txt",
        "sms",
        "twilio",
        messages=(M("SMe287d7109a5a925f182f0e07fe5b223b", text="Msg"),),
    ),
    E(
        "corpus/sms/twilio.inbound__button_text_courier.txt",
        "sms",
        "twilio",
        messages=(M("SMe287d7109a5a925f182f0e07fe5b223b", text="Msg"),),
    ),
    # Pictures without text: the message still arrives, one row per MediaUrl.
    E(
        "corpus/sms/twilio.inbound__media_only_courier.txt",
        "sms",
        "twilio",
        messages=(M("SMe287d7109a5a925f182f0e07fe5b223b", attachments=2),),
    ),
    E(
        "corpus/sms/twilio.inbound__messaging_service_courier.txt",
        "sms",
        "twilio",
        messages=(M("SMbbf29aeb9d380ce2a1c0ae4635ff9dab", text="John Cruz"),),
    ),
    E(
        "corpus/sms/twilio.inbound__other_sid_courier.txt",
        "sms",
        "twilio",
        messages=(M("SM681a1f26d9ec591431ce406e8f399525", text="Msg"),),
    ),
    E("corpus/sms/twilio.status__read_courier.txt", "sms", "twilio", notes="read (no reply"),
    E("corpus/sms/twilio.status__failed_rate_limit_courier.txt", "sms", "twilio", notes="failed (no reply"),
    # Sveve's delivery report of a reply: a status on the outbox, never a message.
    E("sms/sveve.dlr__docs.txt", "sms", "sveve", notes="42824112: delivered (no reply"),
    E("corpus/sms/sveve.dlr__failed_derived.txt", "sms", "sveve", notes="42824113: failed (no reply"),
    E("sms/pswincom.MO__form.txt", "sms", "pswincom", messages=(M("pswincom:1", text="Test message"),)),
    E("sms/pswincom.MO__xml.txt", "sms", "pswincom", messages=(M("pswincom:1", text="Incoming message 1"),)),
    E(
        "sms/pswincom.MO__form_latin1_norwegian.txt",
        "sms",
        "pswincom",
        messages=(M("pswincom:3", text="Blåser ødeleggende på Frøystad"),),
    ),
    E(
        "sms/pswincom.MO__form_utf8_norwegian.txt",
        "sms",
        "pswincom",
        messages=(M("pswincom:2", text="Bjørkelangen"),),
    ),
    E(
        "sms/pswincom.MO__xml_latin1_batch.txt",
        "sms",
        "pswincom",
        messages=(M("pswincom:4", text="Hilsen Åse"), M("pswincom:5", text="Takk for rask hjelp!")),
    ),
    # Chat ----------------------------------------------------------------------------------------------
    E(
        "chat/chatwoot.message_created__docs.json",
        CHAT,
        "chatwoot",
        messages=(M("chatwoot:118", text="hi"),),
    ),
    E(
        "chat/chatwoot.conversation_resolved__docs.json",
        CHAT,
        "chatwoot",
        messages=(M("chatwoot:120", direction="out", text="Get notified by email"),),
    ),
    E(
        "chat/chatwoot.message_updated__edited.json",
        CHAT,
        "chatwoot",
        messages=(M("chatwoot:118", text="søppelet hentes"),),
    ),
    E(
        "corpus/chat/chatwoot.message_created__location_contact.json",
        CHAT,
        "chatwoot",
        messages=(
            M(
                "chatwoot:4711",
                text="geo:59.9139,10.7522\nStorgata 12, Sørumsand\n+4791234567",
                attachments=1,
            ),
        ),
    ),
    E(
        "chat/intercom.conversation.user.created__zulip.json",
        CHAT,
        "intercom",
        messages=(M("intercom:331494375", text="Hello everyone!"),),
    ),
    E(
        "chat/intercom.conversation.user.replied__zulip.json",
        CHAT,
        "intercom",
        messages=(M("intercom:2824391734", text="developer account"),),
    ),
    E(
        "chat/intercom.conversation.admin.replied__zulip.json",
        CHAT,
        "intercom",
        messages=(M("intercom:2824382500", direction="out", text="How can I help?"),),
    ),
    E(
        "chat/intercom.conversation.admin.single.created__zulip.json",
        CHAT,
        "intercom",
        messages=(M("intercom:331787154", direction="out", text="What's up"),),
    ),
    # A redaction of a part never seen, with the replacement body: kept, marked deleted.
    E(
        "chat/intercom.conversation_part.redacted__zulip.json",
        CHAT,
        "intercom",
        messages=(M("intercom:37358539897", direction="out", deleted=True, text="This message was deleted"),),
    ),
    E("corpus/chat/intercom.conversation.admin.closed__zulip.json", CHAT, "intercom", status="ignored"),
    E("corpus/chat/intercom.conversation.admin.noted__zulip.json", CHAT, "intercom", status="ignored"),
    E("corpus/chat/intercom.ping__zulip.json", CHAT, "intercom", status="ignored"),
    # The reply in an assignment part arrives again as conversation.admin.replied (same part id
    # 2824382500 in Zulip's admin_replied fixture): stored from there, once.
    E("corpus/chat/intercom.conversation.admin.assigned__zulip.json", CHAT, "intercom", status="ignored"),
    E("corpus/chat/intercom.user.created__zulip.json", CHAT, "intercom", status="ignored"),
    E("corpus/chat/intercom.conversation.admin.snoozed__zulip.json", CHAT, "intercom", status="ignored"),
    E("corpus/chat/intercom.conversation.admin.unsnoozed__zulip.json", CHAT, "intercom", status="ignored"),
    E("corpus/chat/intercom.conversation.admin.opened__zulip.json", CHAT, "intercom", status="ignored"),
    # Fin's automated "will reply as soon as they can" is not correspondence.
    E("corpus/chat/intercom.conversation.operator.replied__zulip.json", CHAT, "intercom", status="ignored"),
    # A citizen's reply on an Intercom ticket is a message like a conversation reply.
    E(
        "chat/intercom.ticket.contact.replied__zulip.json",
        CHAT,
        "intercom",
        messages=(M("intercom:37404590647", text="asfsf"),),
    ),
    E(
        "chat/intercom.ticket.admin.replied__zulip.json",
        CHAT,
        "intercom",
        messages=(M("intercom:37403474386", direction="out", text="mathew"),),
    ),
    E(
        "chat/rocketchat.LivechatSession__transcript.json",
        CHAT,
        "rocketchat",
        messages=(
            M("rocketchat:m1Lx8", text="garasje på 45 m²"),
            M("rocketchat:m2Kq4", direction="out", text="Over 50 m²"),
            # The file link is relative to the Rocket.Chat server: a row, failed, naming the option.
            M("rocketchat:m3Pz7", text="situasjonsplanen", attachments=1),
            M("rocketchat:m4Cl9", direction="out", text="avsluttet"),
        ),
    ),
    E(
        "chat/rocketchat.Message__visitor_message.json",
        CHAT,
        "rocketchat",
        messages=(M("rocketchat:m4Vn2", text="carport"),),
    ),
    E(
        "chat/rocketchat.LivechatOfflineMessage__hook.json",
        CHAT,
        "rocketchat",
        messages=(M("rocketchat:offline:64e1f84a579efb5c4bb10e94702738ef", text="gatelyset i Storgata 12"),),
    ),
    E(
        "corpus/chat/rocketchat.LivechatSession__webhook_test_sample.json",
        CHAT,
        "rocketchat",
        messages=(
            M("rocketchat:derived-8e0f6db70eea5c9d9375387ea3384a12", text="message content"),
            M("rocketchat:derived-09877c9fe87e487b9673a3aa1f6df272", direction="out", text="from agent"),
        ),
    ),
    # Discourse -----------------------------------------------------------------------------------------
    E("forum/post_created__reply.json", "forum", messages=(M("8841", text="Skårerveien"),)),
    E("forum/post_edited__typo.json", "forum", messages=(M("8841", text="Slåttbakken"),)),
    E("forum/post_destroyed__by_author.json", "forum", messages=(M("8841", deleted=True, text="strødd"),)),
    E(
        "corpus/forum/post_created__with_uploads_derived.json",
        "forum",
        messages=(M("9841", text="upload://aBcDeF123.jpeg", attachments=2),),
    ),
    # Real Discourse 2.9.0.beta4 deliveries captured by koishi-plugin-adapter-discourse, with their headers.
    # The forum's admin wrote them: staff posts are the municipality's own, outgoing.
    E(
        "corpus/forum/post_created__topic_koishi.json",
        "forum",
        messages=(M("14", direction="out", text="Does the title sound interesting"),),
        headers=KOISHI,
    ),
    E(
        "corpus/forum/post_created__reply_koishi.json",
        "forum",
        messages=(M("15", direction="out", text="Welcome to Discourse — **thanks for contributing!**"),),
        headers=KOISHI,
    ),
    E(
        "corpus/forum/post_created__private_message_koishi.json",
        "forum",
        messages=(M("16", direction="out", text="Be kind to your fellow community members"),),
        headers=KOISHI,
    ),
    # The uploaded picture is a row, resolved through the instance the delivery names.
    E(
        "corpus/forum/post_created__private_message_upload_koishi.json",
        "forum",
        messages=(M("17", direction="out", text="upload://jJCWGKWQzL1BVt7XkAi7MmaVTjd.jpeg", attachments=1),),
        headers=KOISHI,
    ),
    E(
        "corpus/forum/post_created__example_rust_crate.json",
        "forum",
        messages=(M("14", direction="out", text="Hello World! This is an example post."),),
    ),
    # WordPress -----------------------------------------------------------------------------------------
    E(
        "website_comments/comment__wordpress.json",
        "website_comments",
        messages=(M("4711", text="Fjuk skole"),),
    ),
    E(
        "website_comments/comments_page__wordpress.json",
        "website_comments",
        messages=(M("4711"), M("4712", text="Skoleveien"), M("4713", text="høringsfristen")),
    ),
    # WordPress core's own REST API responses (its QUnit fixtures): the same through the plugin or the poller.
    E(
        "corpus/website_comments/comment__wp_api_generated.json",
        "website_comments",
        messages=(M("2", text="This is a comment"),),
    ),
    E(
        "corpus/website_comments/comments_page__wp_api_generated.json",
        "website_comments",
        messages=(M("2", text="This is a comment"),),
    ),
    # Polled kinds (ingest_payload only) ------------------------------------------------------------------
    E(
        "flickr/comments_page__photo.json",
        "flickr",
        messages=(
            M("197612345-53612345678-72157720000000001", text="gangbrua"),
            M("197612345-53612345678-72157720000000002", text="turstier"),
        ),
    ),
    E(
        "youtube/comments_page__first.json",
        "youtube",
        messages=(M("UgzNewest1"), M("UgzNewest1.reply1"), M("UgzMiddle2", text="Bingsfoss")),
    ),
    E("youtube/comments_page__last.json", "youtube", messages=(M("UgzOldest3", text="Lyden forsvant"),)),
    E(
        "linkedin/comments_page__post.json",
        "linkedin",
        messages=(
            M("urn:li:comment:(urn:li:activity:7160000000000000001,7160000000000000101)", text="deltid"),
            M(
                "urn:li:comment:(urn:li:activity:7160000000000000001,7160000000000000102)",
                text="søknadsfristen",
            ),
        ),
    ),
]

POLLED = {"flickr", "youtube", "linkedin"}


def _sign(entry: E, body: bytes, url: str) -> tuple[dict, str]:
    """The headers (and URL query) the provider sends with this body, signed with SECRET."""
    if entry.kind in ("facebook", "website_comments", "forum"):
        name = {
            "facebook": "X-Hub-Signature-256",
            "website_comments": "X-Sorum-Signature",
            "forum": "X-Discourse-Event-Signature",
        }[entry.kind]
        return {name: "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()}, ""
    if entry.kind == "twitter":
        digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
        return {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest).decode()}, ""
    if entry.provider == "twilio":
        signed = url + "".join(k + v for k, v in sorted(form_pairs(body)))
        digest = hmac.new(SECRET.encode(), signed.encode(), hashlib.sha1).digest()
        return {"X-Twilio-Signature": base64.b64encode(digest).decode()}, ""
    if entry.provider in ("pswincom", "sveve"):
        return {}, "?" + urlencode({"token": SECRET})
    if entry.provider == "chatwoot":
        stamp = str(int(time.time()))
        digest = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        return {"X-Chatwoot-Timestamp": stamp, "X-Chatwoot-Signature": "sha256=" + digest}, ""
    if entry.provider == "intercom":
        return {"X-Hub-Signature": "sha1=" + hmac.new(SECRET.encode(), body, hashlib.sha1).hexdigest()}, ""
    return {"X-RocketChat-Livechat-Token": SECRET}, ""


def _event_headers(entry: E) -> dict:
    headers = dict(entry.headers)
    if entry.kind == "forum":
        headers.setdefault("X-Discourse-Event", entry.path.rsplit("/", 1)[1].split("__")[0])
        headers.setdefault("X-Discourse-Event-Type", "post")
        headers.setdefault("X-Discourse-Instance", DISCOURSE_INSTANCE)
    if entry.content_type == "application/xml":
        headers.setdefault("PSW-Message-type", "MO")
    return headers


def _channel(entry: E):
    options = {"provider": entry.provider} if entry.provider else {}
    return ChannelFactory(kind=entry.kind, slug="corpus", secret=SECRET, options=options)


def _assert_result(entry: E, channel) -> None:
    event = InboundEvent.objects.get(channel=channel)
    assert event.status == entry.status, event.error
    assert entry.notes in event.notes
    stored = {m.external_id: m for m in Message.objects.filter(channel=channel)}
    assert sorted(stored) == sorted(m.external_id for m in entry.messages)
    for expected in entry.messages:
        message = stored[expected.external_id]
        assert message.direction == expected.direction
        assert message.deleted_by_author is expected.deleted
        assert expected.text in message.text
        assert MessageAttachment.objects.filter(message=message).count() == expected.attachments


@pytest.fixture(autouse=True)
def _hosts_and_no_downloads(settings, monkeypatch):
    settings.ALLOWED_HOSTS = [HOST, "testserver"]
    # Rows are the subject here; downloading them is tested in test_attachments against loopback.
    monkeypatch.setattr("channels.tasks.attachment_download_task.apply_async", lambda *a, **k: None)


def _origins() -> dict[str, str]:
    """Each SOURCES.md entry's path and the kind of origin its line names (verbatim, derived, ...)."""
    origins = {}
    for line in (FIXTURES / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("- `") or " — " not in line:
            continue
        names, origin = line[2:].split(" — ", 1)
        for name in names.split(", "):
            origins[name.strip("`")] = origin.split(" ", 1)[0].rstrip(":")
    return origins


def test_the_corpus_has_at_least_sixty_payloads_each_with_a_recorded_source():
    origins = _origins()
    assert len(CORPUS) >= 60
    missing = [entry.path for entry in CORPUS if entry.path not in origins]
    assert not missing, missing
    assert len({entry.path for entry in CORPUS}) == len(CORPUS)


def test_at_least_sixty_corpus_payloads_are_verbatim_copies_of_public_deliveries():
    """Issue 16: at least 60 real payloads from public test suites and provider documentation."""
    origins = _origins()
    verbatim = [entry.path for entry in CORPUS if origins.get(entry.path) == "verbatim"]
    assert len(verbatim) >= 60, len(verbatim)
    # Every payload says what it is: a copy, a copied layout, built from documentation, or changed on purpose.
    kinds = {origins[entry.path] for entry in CORPUS}
    assert kinds <= {"verbatim", "structure", "constructed", "derived"}, kinds


@pytest.mark.parametrize("entry", [e for e in CORPUS if e.kind not in POLLED], ids=lambda e: e.id)
def test_corpus_payload_through_the_webhook(client, entry, django_capture_on_commit_callbacks):
    channel = _channel(entry)
    body = (FIXTURES / entry.path).read_bytes()
    url = f"https://{HOST}" + reverse("channels:webhook", args=[channel.slug])
    signature, query = _sign(entry, body, url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url + query,
            data=body,
            content_type=entry.content_type,
            secure=True,
            headers={**_event_headers(entry), **signature, "Host": HOST},
        )
    assert response.status_code == 200, response.content
    _assert_result(entry, channel)


@pytest.mark.parametrize("entry", CORPUS, ids=lambda e: e.id)
def test_corpus_payload_through_ingest_payload(entry, django_capture_on_commit_callbacks):
    channel = _channel(entry)
    headers = [f"{name}: {value}" for name, value in _event_headers(entry).items()]
    args = [channel.slug, str(FIXTURES / entry.path), "--content-type", entry.content_type]
    for header in headers:
        args += ["--header", header]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ingest_payload", *args)
    _assert_result(entry, channel)

"""Reply clients: one per provider that lets the municipality answer in the same channel.

Each client posts one text and returns the provider's id of the sent message. Base URLs are the
providers' own and can be overridden per channel with options["api_base_url"] (tests use a loopback
fake). The credential is the channel's write-only API token.

- Messenger Send API: https://developers.facebook.com/docs/messenger-platform/reference/send-api/
- X DM: https://docs.x.com/x-api/direct-messages/create-dm-message-by-participant-id
- Twilio Messages: https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
- Sveve (Norwegian SMS gateway): https://sveve.no/apidok/send
- Chatwoot: https://www.chatwoot.com/developers/api/#tag/Messages/operation/create-a-new-message-in-a-conversation
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .http import ProviderError, http_request

if TYPE_CHECKING:
    from triage.models import Message

    from .models import Channel


@dataclass(frozen=True)
class ReplyTarget:
    """Whom the reply goes to, read from the message being answered."""

    recipient: str  # PSID, X user id, phone number
    conversation: str  # provider's conversation id where the API is per conversation (Chatwoot)
    # Echoed back by providers that support it (Messenger `metadata`): lets ingest match the echo of this
    # reply to its outbox row even when the echo arrives before the send call has returned its id.
    reference: str = ""


def reply_target(message: Message) -> ReplyTarget:
    extra = message.extra or {}
    key = message.conversation.external_key
    recipient = str(extra.get("reply_to") or extra.get("sender_id") or message.author_handle)
    if key.startswith("dm:"):
        # X DMs: the conversation key is "dm:<id>:<id>"; the citizen is the id that is not the account's.
        account = str(message.channel.options.get("account_id", ""))
        others = [part for part in key.split(":")[1:] if part != account]
        if account and len(others) == 1:
            recipient = others[0]
    conversation = str(extra.get("conversation_id") or key.rpartition(":")[2])
    return ReplyTarget(recipient=recipient, conversation=conversation)


class ReplyClient:
    provider: ClassVar[str]
    default_base: ClassVar[str]

    def credential(self, channel: Channel) -> str:
        return channel.api_credential

    def base(self, channel: Channel) -> str:
        return str(channel.options.get("api_base_url") or self.default_base).rstrip("/")

    def send(self, *, channel: Channel, target: ReplyTarget, text: str) -> str:
        raise NotImplementedError


def _id(data: Any, *path: str) -> str:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            raise ProviderError(f"provider answer lacks {'.'.join(path)}")
        data = data[key]
    return str(data)


class MessengerClient(ReplyClient):
    provider = "messenger"
    default_base = "https://graph.facebook.com/v19.0"

    def send(self, *, channel: Channel, target: ReplyTarget, text: str) -> str:
        response = http_request(
            "POST",
            f"{self.base(channel)}/me/messages",
            params={"access_token": channel.api_credential},
            json={
                "recipient": {"id": target.recipient},
                "messaging_type": "RESPONSE",
                "message": {"text": text, **({"metadata": target.reference} if target.reference else {})},
            },
        )
        return _id(response.json(), "message_id")


class XDirectMessageClient(ReplyClient):
    provider = "x"
    default_base = "https://api.x.com"

    def send(self, *, channel: Channel, target: ReplyTarget, text: str) -> str:
        response = http_request(
            "POST",
            f"{self.base(channel)}/2/dm_conversations/with/{target.recipient}/messages",
            headers={"Authorization": f"Bearer {channel.api_credential}"},
            json={"text": text},
        )
        return _id(response.json(), "data", "dm_event_id")


class TwilioClient(ReplyClient):
    provider = "twilio"
    default_base = "https://api.twilio.com"

    def credential(self, channel: Channel) -> str:
        # Twilio signs webhooks with the same auth token, so a channel may keep it only as its secret.
        return channel.api_credential or channel.secret

    def send(self, *, channel: Channel, target: ReplyTarget, text: str) -> str:
        account = str(channel.options.get("account_sid", ""))
        response = http_request(
            "POST",
            f"{self.base(channel)}/2010-04-01/Accounts/{account}/Messages.json",
            auth=(account, self.credential(channel)),
            data={"To": target.recipient, "From": str(channel.options.get("from_number", "")), "Body": text},
        )
        return _id(response.json(), "sid")


class SveveClient(ReplyClient):
    provider = "sveve"
    default_base = "https://sveve.no"

    def send(self, *, channel: Channel, target: ReplyTarget, text: str) -> str:
        response = http_request(
            "POST",
            f"{self.base(channel)}/SMS/SendMessage",
            data={
                "user": str(channel.options.get("username", "")),
                "passwd": channel.api_credential,
                "to": target.recipient,
                "msg": text,
                "from": str(channel.options.get("sender", "Sorum")),
                "f": "json",
            },
        )
        data = response.json()
        ids = _id(data, "response", "msgOkCount")
        if ids in ("0", "", "None"):
            raise ProviderError(
                f"Sveve did not accept the message: {data.get('response', {}).get('errors')}"[:300]
            )
        return str((data["response"].get("ids") or [""])[0])


class ChatwootClient(ReplyClient):
    provider = "chatwoot"
    default_base = "https://app.chatwoot.com"

    def send(self, *, channel: Channel, target: ReplyTarget, text: str) -> str:
        account = str(channel.options.get("account_id", ""))
        response = http_request(
            "POST",
            f"{self.base(channel)}/api/v1/accounts/{account}/conversations/{target.conversation}/messages",
            headers={"api_access_token": channel.api_credential},
            json={"content": text, "message_type": "outgoing", "private": False},
        )
        return _id(response.json(), "id")


# Explicit registry: (channel kind, options["provider"]) -> client; "" is the kind's default provider.
REPLY_CLIENTS: dict[tuple[str, str], ReplyClient] = {
    ("facebook", ""): MessengerClient(),
    ("twitter", ""): XDirectMessageClient(),
    ("sms", ""): TwilioClient(),
    ("sms", "twilio"): TwilioClient(),
    ("sms", "sveve"): SveveClient(),
    ("chat", ""): ChatwootClient(),
    ("chat", "chatwoot"): ChatwootClient(),
}


def reply_client_for(channel: Channel) -> ReplyClient | None:
    provider = str(channel.options.get("provider", ""))
    return REPLY_CLIENTS.get((channel.kind, provider))

"""Chatwoot conversations through the application API, each message delivered as the `message_created`
webhook would have.

- Conversations: `GET /api/v1/accounts/{account_id}/conversations?status=all&page=N` answers
  `{"data": {"meta": ..., "payload": [conversation]}}`, most recent activity first
  (app/views/api/v1/accounts/conversations/index.json.jbuilder; `timestamp` is `last_activity_at`).
- Messages: `GET .../conversations/{id}/messages?before=<message id>` answers `{"meta": ..., "payload":
  [message]}`, 20 at a time, oldest first within the page (app/finders/message_finder.rb
  `messages_before`; app/views/api/v1/models/_message.json.jbuilder: `message_type` as its number,
  `created_at` as Unix seconds, `sender` from `push_event_data`, `attachments`).
https://developers.chatwoot.com/api-reference/messages/get-messages

The message id is the webhook's, so a message that came by webhook is not stored twice. Channel options:
`account_id` (required), `api_base_url` (default https://app.chatwoot.com), `inbox_id` (only this inbox).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels.http import ProviderError, http_request

from .base import BackfillContext, Backfiller, BackfillPage, Delivery, decode_json, parse_time


class ChatwootBackfiller(Backfiller):
    kind = "chat"
    provider = "chatwoot"

    def fetch(self, *, context: BackfillContext, state: Mapping[str, Any]) -> BackfillPage:
        account = str(context.required("account_id"))
        base = f"{context.base('https://app.chatwoot.com')}/api/v1/accounts/{account}/conversations"
        headers = {"api_access_token": context.token}
        pending = list(state.get("pending", []))
        if not state.get("listed"):
            page = int(state.get("page", 1))
            data = decode_json(
                http_request(
                    "GET", base, params={"status": "all", "page": page}, headers=headers, http=context.http
                ).body
            )
            conversations = (data.get("data") or {}).get("payload") if isinstance(data, dict) else None
            if not isinstance(conversations, list):
                raise ProviderError("Chatwoot answered without data.payload")
            inbox = context.option("inbox_id")
            older = False
            for conversation in conversations:
                if not isinstance(conversation, dict) or conversation.get("id") is None:
                    raise ProviderError("Chatwoot conversation without an id")
                active = parse_time(conversation.get("timestamp") or conversation.get("last_activity_at"))
                if active is not None and active < context.since:
                    older = True
                    continue
                if inbox and str(conversation.get("inbox_id")) != str(inbox):
                    continue
                pending.append(str(conversation["id"]))
            listed = older or not conversations
            next_state = {"listed": listed, "page": page + 1, "pending": pending}
            return BackfillPage(deliveries=(), items=len(conversations), next_state=next_state)
        if not pending:
            return BackfillPage(deliveries=(), items=0, next_state=None)
        conversation_id = pending[0]
        params = {"before": state["before"]} if state.get("before") else {}
        url = f"{base}/{conversation_id}/messages"
        data = decode_json(http_request("GET", url, params=params, headers=headers, http=context.http).body)
        messages = data.get("payload") if isinstance(data, dict) else None
        if not isinstance(messages, list):
            raise ProviderError("Chatwoot answered without payload")
        deliveries, oldest_id, older = [], None, False
        for message in messages:
            when = parse_time(message.get("created_at")) if isinstance(message, dict) else None
            if when is None or not isinstance(message.get("id"), int):
                raise ProviderError("Chatwoot message without id or created_at")
            oldest_id = message["id"] if oldest_id is None else min(oldest_id, message["id"])
            if when < context.since:
                older = True
                continue
            if not context.in_range(when):
                continue
            payload = {
                **message,
                "event": "message_created",
                "conversation": {"id": message.get("conversation_id", conversation_id)},
            }
            deliveries.append(Delivery.of(payload, url=url))
        if older or oldest_id is None:
            next_state = {**state, "pending": pending[1:], "before": None}
        else:
            next_state = {**state, "before": oldest_id}
        return BackfillPage(deliveries=tuple(deliveries), items=len(messages), next_state=next_state)

"""Explicit registry of channel adapters: one line per kind."""

from .base import ChannelAdapter
from .chat import ChatAdapter
from .facebook import FacebookAdapter
from .flickr import FlickrAdapter
from .forum import ForumAdapter
from .guestbook import GuestbookAdapter
from .innsynskrav import InnsynskravAdapter
from .linkedin import LinkedInAdapter
from .meeting import MeetingAdapter
from .sms import SmsAdapter
from .twitter import TwitterAdapter
from .website_comments import WebsiteCommentsAdapter
from .youtube import YouTubeAdapter

ADAPTERS: dict[str, ChannelAdapter] = {
    adapter.kind: adapter
    for adapter in (
        WebsiteCommentsAdapter(),
        FacebookAdapter(),
        TwitterAdapter(),
        SmsAdapter(),
        ChatAdapter(),
        ForumAdapter(),
        GuestbookAdapter(),
        MeetingAdapter(),
        FlickrAdapter(),
        YouTubeAdapter(),
        LinkedInAdapter(),
        InnsynskravAdapter(),
    )
}


def get_adapter(kind: str) -> ChannelAdapter:
    return ADAPTERS[kind]


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, adapter.display_name) for kind, adapter in sorted(ADAPTERS.items())]

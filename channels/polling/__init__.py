"""Explicit registry of pollers: one line per kind that is fetched rather than pushed."""

from .base import Poller
from .flickr import FlickrCommentsPoller
from .linkedin import LinkedInCommentsPoller
from .wordpress import WordPressCommentsPoller
from .youtube import YouTubeCommentsPoller

POLLERS: dict[str, Poller] = {
    poller.kind: poller
    for poller in (
        WordPressCommentsPoller(),
        FlickrCommentsPoller(),
        YouTubeCommentsPoller(),
        LinkedInCommentsPoller(),
    )
}

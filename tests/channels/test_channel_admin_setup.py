"""The admin adds a channel without reading the docs: first the kind, then only that kind's fields with their
checks, then the channel's page with the webhook URL, the verify token and the steps at the provider."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels.adapters import ADAPTERS
from channels.models import Channel
from tests.factories import admin

pytestmark = pytest.mark.django_db

ADD = reverse("admin:channels_channel_add")


@pytest.fixture
def admin_client(client):
    client.force_login(admin())
    return client


def test_add_starts_with_every_kind_explained(admin_client):
    html = admin_client.get(ADD, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    for kind, adapter in ADAPTERS.items():
        assert f'href="?kind={kind}"' in html
        assert adapter.display_name in html
    assert "Legg til kanal: velg type" in html


def test_the_form_shows_only_the_kinds_fields(admin_client):
    sms = admin_client.get(ADD, {"kind": "sms"}).context["adminform"].form
    assert {"provider", "secret", "api_token", "options"} <= set(sms.fields)
    facebook = admin_client.get(ADD, {"kind": "facebook"}).context["adminform"]
    shown = {name for _, opts in facebook.fieldsets for name in opts["fields"]}
    assert {"secret", "verify_token"} <= shown
    assert "provider" not in shown
    assert "options" not in shown
    guestbook = admin_client.get(ADD, {"kind": "guestbook"}).context["adminform"]
    shown = {name for _, opts in guestbook.fieldsets for name in opts["fields"]}
    assert not shown & {"secret", "verify_token", "api_token"}


def test_an_sms_channel_needs_a_provider_and_a_secret(admin_client):
    data = {
        "kind": "sms",
        "name": "SMS",
        "slug": "sms",
        "enabled": "on",
        "options": "{}",
        "max_body_bytes": 1000,
    }
    response = admin_client.post(f"{ADD}?kind=sms", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "provider" in errors
    assert "secret" in errors
    assert not Channel.objects.exists()


def test_after_saving_the_page_shows_webhook_url_verify_token_and_steps(admin_client, settings):
    settings.SITE_URL = "https://innboks.sorum.kommune.no"
    data = {
        "kind": "facebook",
        "name": "Facebook",
        "slug": "facebook-sorum",
        "enabled": "on",
        "secret": "app-secret",
        "verify_token": "sorum-verify",
        "max_body_bytes": 1000,
    }
    response = admin_client.post(f"{ADD}?kind=facebook", data, HTTP_ACCEPT_LANGUAGE="nb", follow=True)
    channel = Channel.objects.get(slug="facebook-sorum")
    assert response.redirect_chain[-1][0] == reverse("admin:channels_channel_change", args=[channel.pk])
    html = response.content.decode()
    assert "https://innboks.sorum.kommune.no/channels/facebook-sorum/webhook/" in html
    assert "sorum-verify" in html
    assert "I Meta App Dashboard" in html  # the steps, in bokmål
    assert "app-secret" not in html  # the secret is never shown back


def test_sms_provider_is_stored_in_the_options(admin_client):
    data = {
        "kind": "sms",
        "name": "SMS",
        "slug": "sms",
        "enabled": "on",
        "provider": "twilio",
        "secret": "auth-token",
        "options": '{"signature_url": "https://x.example/"}',
        "max_body_bytes": 1000,
    }
    admin_client.post(f"{ADD}?kind=sms", data)
    assert Channel.objects.get(slug="sms").options == {
        "signature_url": "https://x.example/",
        "provider": "twilio",
    }

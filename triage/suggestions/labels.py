"""Display labels for the rule codes (translated lazily, so the rules stay importable without settings)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CATEGORY_LABELS = {
    "health": _("health"),
    "child_welfare": _("child welfare"),
    "social_welfare": _("social welfare"),
    "criminal": _("criminal matters"),
    "belief_and_origin": _("belief, origin or membership"),
    "sexuality": _("sexual orientation"),
}

IDENTITY_NUMBER_LABELS = {
    "fnr": _("national identity number"),
    "dnr": _("D number"),
    "hnr": _("H number"),
}

HEARING_REASON_LABELS = {
    "no_real_name": _("no full name"),
    "no_contact": _("no e-mail address or phone number"),
}

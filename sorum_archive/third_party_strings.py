"""Strings of third-party apps shown in the admin that have no Norwegian catalog of their own (django-axes).

Only here so that makemessages keeps them in locale/nb; Django merges every catalog, so our translation
is used wherever the app asks for the same msgid.
"""

from django.utils.translation import gettext_noop

STRINGS = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"),
]

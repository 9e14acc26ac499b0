from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

CONSENT_TEXT = _(
    "I agree that Sørum kommune stores my entry and name, and may publish the entry in the guestbook. "
    "The entry may be archived if it concerns a case."
)


class GuestbookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    email = forms.EmailField(label=_("E-mail (not published)"), max_length=200, required=False)
    origin = forms.CharField(label=_("Place"), max_length=100, required=False)
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}))
    consent = forms.BooleanField(label=CONSENT_TEXT, required=True)
    # Honeypot: hidden from people with CSS and aria-hidden; bots fill it in.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.SORUM_GUESTBOOK_MAX_TEXT
        self.fields["text"].widget.attrs["maxlength"] = limit
        self.fields["text"].validators.append(MaxLengthValidator(limit))
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class MeetingUploadForm(forms.Form):
    file = forms.FileField(label=_("Questions and answers (CSV or JSON)"))
    meeting = forms.SlugField(label=_("Meeting id"), max_length=80)
    title = forms.CharField(label=_("Meeting title"), max_length=200, required=False)

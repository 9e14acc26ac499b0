from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

CASE_NUMBER = r"^\s*[0-9]{4}/[0-9]{1,9}\s*$"


class CaseNumberField(forms.RegexField):
    """A case number as users know it (saksnummer), «2026/42»; cleaned to (year, number)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "error_messages", {"invalid": _("Write the case number as year/number, e.g. 2026/42.")}
        )
        super().__init__(CASE_NUMBER, **kwargs)
        self.widget.attrs.update({"placeholder": "2026/42", "inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        year, number = value.strip().split("/")
        return int(year), int(number)


class MoveForm(forms.Form):
    case = CaseNumberField(label=_("Move to case (case number)"))


class ResubmitForm(forms.Form):
    remark = forms.CharField(
        label=_("What did you fix? (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        required=False,
    )

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import JournalEntry, JournalEntryType, WriteOffMethod
from .services import OWN_TYPES, WRITE_OFF_TYPES


def _entry_label(entry: JournalEntry) -> str:
    return f"{entry.case_entry_number} ({entry.type_code}) {entry.title[:80]}"


class RegisterForm(forms.Form):
    entry_type = forms.ChoiceField(
        label=_("Type"),
        choices=[(t.value, f"{code} – {t.label}") for t, code in zip(OWN_TYPES, "UNX", strict=True)],
        initial=JournalEntryType.OUTGOING,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("Title"), max_length=500)
    correspondent_name = forms.CharField(
        label=_("Recipient"),
        max_length=300,
        required=False,
        help_text=_("Required for an outgoing document; for a note, the internal recipient (optional)."),
    )
    document = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, PNG, JPEG or plain text. It is converted to PDF/A for the archive."),
    )
    writes_off = forms.ModelChoiceField(
        label=_("Answers incoming entry (written off)"),
        queryset=JournalEntry.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    write_off_method = forms.ChoiceField(
        label=_("How it was answered"), choices=[("", "–"), *WriteOffMethod.choices], required=False
    )

    def __init__(self, *args, case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["writes_off"]
        field.queryset = open_to_write_off(case)
        field.label_from_instance = _entry_label


def open_to_write_off(case):
    return (
        case.entries.filter(entry_type__in=WRITE_OFF_TYPES, write_off_date__isnull=True)
        .exclude(status__in=["Arkivert", "Utgår"])
        .select_related("case")
        .order_by("number_in_case")
    )


class WriteOffForm(forms.Form):
    method = forms.ChoiceField(label=_("How it was answered"), choices=WriteOffMethod.choices)
    by_entry = forms.ModelChoiceField(
        label=_("Answered by entry"),
        queryset=JournalEntry.objects.none(),
        required=False,
        empty_label=_("None"),
    )

    def __init__(self, *args, entry: JournalEntry, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["by_entry"]
        field.queryset = (
            entry.case.entries.filter(entry_type__in=OWN_TYPES)
            .exclude(status="Utgår")
            .select_related("case")
            .order_by("number_in_case")
        )
        field.label_from_instance = _entry_label

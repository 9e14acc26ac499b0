from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from triage.models import Section

from ..models import JournalEntryType
from .selectors import Flag, ReviewFilters
from .services import BULK_LIMIT


class ReviewFilterForm(forms.Form):
    section = forms.ModelChoiceField(
        label=_("Section"),
        queryset=Section.objects.order_by("name"),
        required=False,
        empty_label=_("All sections"),
    )
    entry_type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All types")), *JournalEntryType.choices], required=False
    )
    flag = forms.ChoiceField(
        label=_("Personal data flag"),
        choices=[
            (Flag.ALL, _("All entries")),
            (Flag.FLAGGED, _("Flagged by the detector")),
            (Flag.UNFLAGGED, _("Not flagged")),
        ],
        required=False,
    )

    def filters(self) -> ReviewFilters:
        data = self.cleaned_data
        return ReviewFilters(
            section_id=data["section"].pk if data.get("section") else None,
            entry_type=data.get("entry_type", ""),
            flag=data.get("flag", ""),
        )


class BulkApproveForm(forms.Form):
    entries = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), error_messages={"required": _("Select entries to approve.")}
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the service decides (flagged, not reviewable) and reports each refusal.
        self.fields["entries"].choices = (
            [(v, v) for v in self.data.getlist("entries")][:BULK_LIMIT] if self.is_bound else []
        )

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sorum_archive.roles import sees_all_sections
from triage.models import Section

from ..models import CaseStatus, JournalEntryType, JournalStatus, Klass
from .selectors import CaseFilters, EntryFilters, case_responsibles


def _sections_for(user):
    sections = Section.objects.order_by("name")
    return sections if sees_all_sections(user) else sections.filter(members=user)


class _SectionFilterForm(forms.Form):
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=Section.objects.none(), required=False, empty_label=_("All sections")
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = _sections_for(user)

    def _section_id(self) -> int | None:
        section = self.cleaned_data.get("section")
        return section.pk if section else None


class CaseFilterForm(_SectionFilterForm):
    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        help_text=_("Case number (2026/42) or words in the title."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *CaseStatus.choices], required=False
    )
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2999, required=False)
    klass = forms.ModelChoiceField(
        label=_("Class"), queryset=Klass.objects.none(), required=False, empty_label=_("All classes")
    )
    responsible = forms.ModelChoiceField(
        label=_("Case officer"), queryset=Klass.objects.none(), required=False, empty_label=_("Everyone")
    )
    field_order = ["q", "status", "section", "year", "klass", "responsible"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["klass"].queryset = Klass.objects.filter(closed_at__isnull=True).order_by("class_id")
        self.fields["klass"].label_from_instance = lambda k: f"{k.class_id} {k.title}"
        self.fields["responsible"].queryset = case_responsibles(user=user)
        self.fields["responsible"].label_from_instance = lambda u: u.get_full_name() or u.get_username()

    def filters(self) -> CaseFilters:
        data = self.cleaned_data
        return CaseFilters(
            q=data.get("q", "").strip(),
            status=data.get("status", ""),
            section_id=self._section_id(),
            year=data.get("year"),
            klass_id=data["klass"].pk if data.get("klass") else None,
            responsible_id=data["responsible"].pk if data.get("responsible") else None,
        )


class EntryFilterForm(_SectionFilterForm):
    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        help_text=_("Journal or case number (2026/42) or words in the title."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    entry_type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All types")), *JournalEntryType.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *JournalStatus.choices], required=False
    )
    year = forms.IntegerField(label=_("Journal year"), min_value=1900, max_value=2999, required=False)
    date_from = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    field_order = ["q", "entry_type", "status", "section", "year", "date_from", "date_to"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The from date is after the to date."), code="invalid_range")
        return data

    def filters(self) -> EntryFilters:
        data = self.cleaned_data
        return EntryFilters(
            q=data.get("q", "").strip(),
            entry_type=data.get("entry_type", ""),
            status=data.get("status", ""),
            section_id=self._section_id(),
            year=data.get("year"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class BacklogForm(_SectionFilterForm):
    days = forms.IntegerField(
        label=_("Not finished after (days)"), min_value=0, max_value=3650, initial=14, required=False
    )
    field_order = ["days", "section"]

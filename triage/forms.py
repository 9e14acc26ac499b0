from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from journal.models import Case, CaseStatus

from .models import Decision, Section


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    case = forms.ModelChoiceField(
        label=_("Existing case"),
        queryset=Case.objects.filter(status=CaseStatus.UNDER_BEHANDLING).order_by(
            "-year", "-sequence_number"
        ),
        required=False,
    )
    new_case_title = forms.CharField(label=_("…or title of a new case"), max_length=500, required=False)
    new_case_section = forms.ModelChoiceField(
        label=_("Section of the new case"), queryset=Section.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, sections=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_case_section"].queryset = sections if sections is not None else Section.objects.all()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == Decision.CASE_RELATED:
            if data.get("case") and data.get("new_case_title"):
                raise forms.ValidationError(_("Choose an existing case or give a new title, not both."))
            if not data.get("case") and not data.get("new_case_title"):
                raise forms.ValidationError(_("Choose the case the message belongs to, or create a new one."))
            if data.get("new_case_title") and not data.get("new_case_section"):
                self.add_error("new_case_section", _("A new case needs a section."))
        return data

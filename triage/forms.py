"""Input parsing for the inbox (HTML and API share these): filters, decisions, bulk and assignment."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from channels.adapters import kind_choices
from channels.models import Channel
from journal.models import Case, CaseStatus

from .models import DECIDABLE_CHOICES, Decision, MessageStatus, Section
from .selectors import Cursor, InboxFilters, InvalidCursor, has_attachments_relation

YES_NO = [("", _("All")), ("yes", _("Yes")), ("no", _("No"))]


class InboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + list(MessageStatus.choices), required=False
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.order_by("name"), required=False, empty_label=_("All")
    )
    kind = forms.ChoiceField(label=_("Channel kind"), choices=(), required=False)
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=Section.objects.none(), required=False, empty_label=_("All")
    )
    no_section = forms.BooleanField(label=_("Without section"), required=False)
    assignee = forms.CharField(label=_("Assignee"), max_length=20, required=False)
    date_from = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    has_attachments = forms.ChoiceField(label=_("Has attachments"), choices=YES_NO, required=False)
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, sections=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All"))] + list(kind_choices())
        self.fields["section"].queryset = sections if sections is not None else Section.objects.all()
        if not has_attachments_relation():
            # Attachments arrive with the channels work (issue 4); without the relation there is no filter.
            del self.fields["has_attachments"]

    def clean_assignee(self) -> str:
        value = self.cleaned_data["assignee"].strip()
        if value in ("", "me", "none") or value.isdigit():
            return value
        raise forms.ValidationError(_('Use a user id, "me" or "none".'), code="invalid_assignee")

    def clean_cursor(self) -> Cursor | None:
        value = self.cleaned_data["cursor"]
        if not value:
            return None
        try:
            return Cursor.decode(value)
        except InvalidCursor as exc:
            raise forms.ValidationError(_("Invalid cursor."), code="invalid_cursor") from exc

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The from date is after the to date."), code="invalid_range")
        return data

    def filters(self) -> InboxFilters:
        data = self.cleaned_data
        attachments = data.get("has_attachments") or ""
        return InboxFilters(
            channel=data["channel"].pk if data.get("channel") else None,
            kind=data.get("kind") or "",
            section=data["section"].pk if data.get("section") else None,
            no_section=bool(data.get("no_section")),
            status=data.get("status") or "",
            assignee=data.get("assignee") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            has_attachments={"yes": True, "no": False}.get(attachments),
            q=data.get("q") or "",
        )


class DecisionForm(forms.Form):
    message = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(label=_("Decision"), choices=DECIDABLE_CHOICES)
    case = forms.ModelChoiceField(
        label=_("Existing case"),
        queryset=Case.objects.filter(status=CaseStatus.UNDER_BEHANDLING),
        required=False,
        widget=forms.RadioSelect,
    )
    new_case_title = forms.CharField(label=_("Title of a new case"), max_length=500, required=False)
    new_case_section = forms.ModelChoiceField(
        label=_("Section of the new case"), queryset=Section.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reply_text = forms.CharField(
        label=_("Reply to the author"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, sections=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_case_section"].queryset = sections if sections is not None else Section.objects.all()
        if sections is not None:
            # Only the user's own sections' cases can be chosen: another section's case id is "not a choice".
            self.fields["case"].queryset = self.fields["case"].queryset.filter(section__in=sections)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == Decision.CASE_RELATED:
            if data.get("case") and data.get("new_case_title"):
                raise forms.ValidationError(
                    _("Choose an existing case or give a new title, not both."), code="case_ambiguous"
                )
            if not data.get("case") and not data.get("new_case_title"):
                raise forms.ValidationError(
                    _("Choose the case the message belongs to, or create a new one."), code="case_required"
                )
            if data.get("new_case_title") and not data.get("new_case_section"):
                self.add_error("new_case_section", _("A new case needs a section."))
        return data


class BulkDecisionForm(forms.Form):
    ids = forms.CharField(required=False)
    all_matching = forms.BooleanField(required=False)
    reason = forms.CharField(max_length=2000, required=False)
    # Without a decision the bulk bar marks not case-related; c and f on a selection send theirs.
    decision = forms.ChoiceField(choices=DECIDABLE_CHOICES, required=False)
    case = forms.ModelChoiceField(
        queryset=Case.objects.filter(status=CaseStatus.UNDER_BEHANDLING), required=False
    )
    new_case_title = forms.CharField(max_length=500, required=False)
    new_case_section = forms.ModelChoiceField(queryset=Section.objects.none(), required=False)
    reply_text = forms.CharField(max_length=5000, required=False)

    def __init__(self, *args, sections=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_case_section"].queryset = sections if sections is not None else Section.objects.all()
        if sections is not None:
            self.fields["case"].queryset = self.fields["case"].queryset.filter(section__in=sections)

    def clean_decision(self) -> str:
        return self.cleaned_data["decision"] or Decision.NOT_CASE_RELATED

    def clean_ids(self) -> list[int]:
        parts = [p for p in self.cleaned_data["ids"].replace(",", " ").split() if p]
        if not all(p.isdigit() for p in parts) or len(parts) > 5000:
            raise forms.ValidationError(_("Invalid selection."), code="invalid_selection")
        return [int(p) for p in parts]

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("all_matching") and not data.get("ids"):
            raise forms.ValidationError(_("Select at least one message."), code="empty_selection")
        if data.get("decision") != Decision.NOT_CASE_RELATED and data.get("all_matching"):
            # A case or a reply for everything a filter matches is too easy to get wrong: select the rows.
            raise forms.ValidationError(
                _("Only «not case-related» can be given to everything matching the filter."),
                code="all_matching_not_allowed",
            )
        if data.get("decision") == Decision.CASE_RELATED:
            if data.get("case") and data.get("new_case_title"):
                raise forms.ValidationError(
                    _("Choose an existing case or give a new title, not both."), code="case_ambiguous"
                )
            if not data.get("case") and not data.get("new_case_title"):
                raise forms.ValidationError(
                    _("Choose the case the message belongs to, or create a new one."), code="case_required"
                )
            if data.get("new_case_title") and not data.get("new_case_section"):
                self.add_error("new_case_section", _("A new case needs a section."))
        return data


class PersonChoiceField(forms.ModelChoiceField):
    """Users as colleagues know them: «Kari Nordmann (kari)», not the bare username."""

    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.get_username()})" if name else obj.get_username()


class AssignForm(forms.Form):
    message = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    assignee = PersonChoiceField(
        label=_("Assign to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )
    to_me = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, colleagues=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            colleagues if colleagues is not None else get_user_model().objects.filter(is_active=True)
        ).order_by("first_name", "last_name", "username")

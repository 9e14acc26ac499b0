from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from triage.models import Section

from . import screening
from .models import AccessRestriction, DocumentScreening, Klass, ScreeningMetadata


class RemarkForm(forms.Form):
    remark = forms.CharField(
        label=_("What should the caseworker fix?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class CorrectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    public_title = forms.CharField(label=_("Public title"), max_length=500, required=False)
    correspondent_name = forms.CharField(label=_("Correspondent name"), max_length=300, required=False)
    klass = forms.ModelChoiceField(label=_("Class"), queryset=Klass.objects.none())

    def __init__(self, *args, classification_system=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        classes = Klass.objects.filter(closed_at__isnull=True)
        if classification_system is not None:
            classes = classes.filter(classification_system=classification_system)
        self.fields["klass"].queryset = classes.order_by("class_id")


# Ticked when a screening is started from scratch: the sender's name and the chosen words, the usual case
# for a citizen's message (a first try without ticking anything must not fail).
SCREENING_DEFAULT_METADATA = [
    ScreeningMetadata.NAVN_AVSENDER,
    ScreeningMetadata.TITTEL_REGISTRERING_UTVALGTE_ORD,
]


class ScreeningForm(forms.Form):
    access_restriction = forms.ChoiceField(
        label=_("Access restriction"),
        choices=AccessRestriction.choices,
        initial=AccessRestriction.UNNTATT_OFFENTLIGHET,
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=300,
        initial="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
    )
    metadata = forms.MultipleChoiceField(
        label=_("What is screened"),
        choices=ScreeningMetadata.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=SCREENING_DEFAULT_METADATA,
        error_messages={"required": _("Tick at least one field to screen (for example the sender's name).")},
    )
    screened_words = forms.CharField(
        label=_("Screened words (one per line)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    document_screening = forms.ChoiceField(
        label=_("Documents"),
        choices=[("", _("Documents not screened")), *DocumentScreening.choices],
        required=False,
    )
    until = forms.DateField(
        label=_("Screened until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_legal_basis(self) -> str:
        basis = " ".join(self.cleaned_data["legal_basis"].split())
        if not screening.legal_basis_known(basis):
            raise forms.ValidationError(
                _(
                    "Unknown legal basis: cite the exemption in offentleglova, e.g. «Offl. § 13 jf. "
                    "fvl. § 13 første ledd nr. 1»."
                ),
                code="legal_basis_unknown",
            )
        return basis

    def words(self) -> list[str]:
        return [w.strip() for w in self.cleaned_data.get("screened_words", "").splitlines() if w.strip()]


class LiftScreeningForm(forms.Form):
    reason = forms.CharField(
        label=_("Why may this entry be public?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class CloseCaseForm(forms.Form):
    note = forms.CharField(label=_("Closing note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    # Set only by the confirmation page: a close without it is refused.
    confirm = forms.BooleanField(required=True, widget=forms.HiddenInput)


class PublicJournalFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search titles"),
        max_length=200,
        required=False,
        help_text=_("Words in the title of the entry or the case. Names of persons are not searched."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    date_from = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    section = forms.ModelChoiceField(
        label=_("Section"),
        queryset=Section.objects.order_by("name"),
        required=False,
        empty_label=_("All sections"),
    )
    case = forms.RegexField(
        label=_("Case number"),
        regex=r"^[0-9]{4}/[0-9]{1,9}$",
        max_length=20,
        required=False,
        error_messages={"invalid": _("Write the case number as year/number, e.g. 2026/42.")},
        widget=forms.TextInput(attrs={"placeholder": "2026/42", "inputmode": "numeric"}),
    )

    def clean_case(self) -> tuple[int, int] | None:
        value = self.cleaned_data["case"].strip()
        if not value:
            return None
        year, number = value.split("/")
        return int(year), int(number)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The from date is after the to date."), code="invalid_range")
        return data

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from journal.models import Series


class ExportJobForm(forms.Form):
    year = forms.IntegerField(
        label=_("Period (year of a closed series)"), required=False, min_value=1900, max_value=2999
    )
    series = forms.ModelChoiceField(
        label=_("Series"),
        queryset=Series.objects.order_by("-period_start"),
        required=False,
        empty_label=_("All closed series"),
    )

"""The year planner's forms: the Centre's rooms and the instructors'
unavailable periods (the inputs of every plan kept outside it)."""

from __future__ import annotations

from django import forms

from .models import Room, Unavailability


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "capacity"]
        widgets = {"capacity": forms.NumberInput(attrs={"min": 1})}


class UnavailabilityForm(forms.ModelForm):
    """``user``: the instructors offered are those the user sees."""

    class Meta:
        model = Unavailability
        fields = ["instructor", "start", "end", "reason"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from icihub.training.models import Instructor

        self.fields["instructor"].queryset = Instructor.objects.visible_to(user).order_by(
            "full_name", "id"
        )

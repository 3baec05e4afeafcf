from django.contrib import admin

from icihub.core.admin import register_app

from .models import Participant


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "country", "service", "rank", "anonymised_at"]
    list_filter = ["service", "country"]
    search_fields = ["family_name", "given_name", "email"]

    def has_change_permission(self, request, obj=None):
        # An anonymised participant stays anonymised: not even the admin
        # brings personal fields back (icihub.training.privacy).
        if obj is not None and obj.is_anonymised:
            return False
        return super().has_change_permission(request, obj)


register_app("training")

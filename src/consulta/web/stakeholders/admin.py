"""Django's admin for the stakeholder network, for superusers fixing data."""

from django.contrib import admin

from consulta.web.stakeholders.models import AudienceMember, Organisation, Person


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "consultation", "sector", "type", "parent"]
    list_filter = ["sector"]
    search_fields = ["name", "type", "consultation__slug"]
    raw_id_fields = ["parent"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "job_title", "consultation"]
    search_fields = ["name", "email", "organisation__name", "consultation__slug"]
    raw_id_fields = ["organisation"]


@admin.register(AudienceMember)
class AudienceMemberAdmin(admin.ModelAdmin):
    list_display = ["__str__", "phase", "organisation", "person", "added_at"]
    raw_id_fields = ["phase", "organisation", "person"]

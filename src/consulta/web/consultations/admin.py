"""Django's admin, for superusers fixing data; organisers use the back office."""

from django.contrib import admin

from consulta.web.consultations.models import (
    Consultation,
    Membership,
    Phase,
    Question,
    RespondentRole,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    fields = ["position", "name", "audience", "anonymity", "opens_at", "closes_at"]
    show_change_link = True


class RoleInline(admin.TabularInline):
    model = RespondentRole
    extra = 0


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["position", "key", "title", "context", "kind", "required", "options", "max_length"]


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "status", "run_by", "run_for", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "slug", "run_by", "run_for"]
    inlines = [MembershipInline, RoleInline, PhaseInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "consultation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "consultation__slug"]
    autocomplete_fields = ["user", "consultation"]


@admin.register(RespondentRole)
class RespondentRoleAdmin(admin.ModelAdmin):
    list_display = ["name", "consultation", "position"]
    search_fields = ["name", "consultation__slug"]


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["name", "consultation", "position", "audience", "anonymity", "opens_at",
                    "closes_at"]
    list_filter = ["audience", "anonymity"]
    search_fields = ["name", "consultation__slug"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "phase", "position", "kind", "required"]
    list_filter = ["kind", "required"]
    search_fields = ["key", "title", "phase__consultation__slug"]
    list_select_related = ["phase__consultation"]

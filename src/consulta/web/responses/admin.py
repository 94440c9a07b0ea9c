"""Django's admin for responses, for superusers fixing data.

Respondent (who wrote a response) is deliberately not shown next to the answers: identity is
kept apart from what people said.
"""

from django.contrib import admin

from consulta.web.responses.models import Answer, Response


class AnswerInline(admin.StackedInline):
    model = Answer
    extra = 0
    raw_id_fields = ["question"]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["reference", "phase", "status", "channel", "consent", "submitted_at"]
    list_filter = ["status", "channel", "consent"]
    search_fields = ["reference"]
    raw_id_fields = ["phase", "role", "organisation"]
    inlines = [AnswerInline]

"""What people decide on the workbench (docs/adr/0011-analyst-workbench.md).

The latest finished run's Theme and CodedTheme rows are edited in place; each theme action
leaves one ``Decision`` holding the state before and after, enough to undo it exactly. A
person's coding of an answer is a ``Review`` (one per run, answer and person) beside the
CodedTheme rows marked ANALYST; it keeps the machine's codes as they were before anyone
changed them, which agreement between machine and person is measured against.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from consulta.web.analysis.models import AnalysisRun, Theme
from consulta.web.consultations.models import Question
from consulta.web.responses.models import Answer

User = settings.AUTH_USER_MODEL


class Decision(models.Model):
    """One theme action on one question of a run: who, when, why, and the state around it."""

    class Action(models.TextChoices):
        RENAME = "rename", "Renamed a theme"
        MERGE = "merge", "Merged themes"
        MOVE = "move", "Moved answers"
        CREATE = "create", "Created a theme"
        DELETE = "delete", "Deleted a theme"
        REORDER = "reorder", "Reordered themes"
        REVIEWED = "reviewed", "Marked the themes reviewed"
        UNDO = "undo", "Undid a decision"
        RESOLVE = "resolve", "Resolved a disagreement"  # double coding (double.py)
        IMPORT = "import", "Imported a code frame"  # frame.py
        APPLY = "apply", "Applied people's codes to the rest"  # learning.py
        SPLIT = "split", "Split a theme"  # split.py

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="decisions")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="decisions")
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.TextField(blank=True)
    summary = models.CharField(max_length=300, blank=True)  # one line for people: "t03 into t01"
    # state.capture() of the themes and answers the action touched, before and after it.
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    # An UNDO decision names the one it undid.
    undoes = models.OneToOneField("self", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="undone_by_decision")

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["run", "question", "-id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.summary}"


class ApplyStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the background worker"
    DONE = "done", "Done"
    REFUSED = "refused", "Refused"
    GAVE_UP = "gave-up", "Gave up"


class QuestionState(models.Model):
    """A question's workbench state in a run: the themes' order, whether they were reviewed.

    Its row is also what theme actions lock (select_for_update) while they check the version,
    since a question with no decision yet has no decision row to lock.
    """

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    order = models.JSONField(default=list, blank=True)  # theme keys, first shown first
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    # The last "apply to the rest" the worker was asked for, and how it ended (learning.py):
    # the page says so when it was refused or gave up, since no request is waiting for it.
    apply_status = models.CharField(max_length=10, choices=ApplyStatus.choices, blank=True)
    apply_at = models.DateTimeField(null=True, blank=True)
    apply_message = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "question"],
                                               name="one_workbench_state_per_question")]


class Review(models.Model):
    """One person's coding of one answer in a run."""

    class Stance(models.TextChoices):
        FOR = "for", "For"
        AGAINST = "against", "Against"
        NEITHER = "neither", "Neither"

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="+")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The person coded without seeing the machine's codes: only such answers measure agreement.
    blind = models.BooleanField(default=False)
    stance = models.CharField(max_length=10, choices=Stance.choices, blank=True)
    # The theme keys the person chose when saving (what agreement compares).
    themes = models.JSONField(default=list, blank=True)
    # The machine's theme keys, taken before anyone first changed this answer's codes.
    machine_themes = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    quote_candidate = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "answer", "user"],
                                               name="one_review_per_person")]


class ThemeNote(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="notes")
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()

    class Meta:
        ordering = ["created_at", "pk"]


class DoubleSample(models.Model):
    """Answers to one question that two or more people code blind, to measure how far people
    agree with each other (double.py). Drawn once with ``seed`` and stored, so every coder
    gets the same answers whatever is coded meanwhile."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    size = models.PositiveIntegerField()
    seed = models.PositiveIntegerField()
    codings = models.JSONField(default=list)  # Coding ids, in the order coders are served them

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "question"],
                                               name="one_double_sample_per_question")]

"""Stored results of the analysis library (consulta.analysis) for a consultation.

Each run is kept whole, so later runs (``--previous``) keep theme ids, and the analyst
workbench can review, merge and split themes as new rows with their own source and audit,
never by rewriting what the model said.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from consulta.web.consultations.models import Consultation, Question
from consulta.web.responses.models import Answer


class AnalysisRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="analysis_runs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    # When the run left the queue: a queued run can wait for the worker a while.
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # analysis.json without the per-answer rows: configuration, versions, timings.
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"analysis of {self.consultation.slug} at {self.created_at:%Y-%m-%d %H:%M}"


class Theme(models.Model):
    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="themes")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="themes")
    key = models.CharField(max_length=20, help_text="The theme's id, kept across runs: t01…")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    label = models.CharField(max_length=200)
    # Its key phrases ("Budget holders; black Londoners"): a name that quotes no one, shown
    # where the label (a sentence of an answer) may not be.
    keywords = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    # One or two sentences of its answers saying what they say (runs before issue 9: "").
    summary = models.TextField(blank=True)
    # For, against or neither the question's proposal (consulta.analysis.constants.STANCES);
    # "" when the run did not say.
    stance = models.CharField(max_length=10, blank=True)
    size = models.PositiveIntegerField(default=0)  # answers carrying it
    # Respondents for whom it is a main point, each campaign once; share is of them.
    respondents = models.PositiveIntegerField(default=0)
    share = models.FloatField(default=0)
    campaign_share = models.FloatField(default=0)  # of its answers, those from campaigns
    # [{"answer": Answer pk, "text": the quoted passage, "start", "end": the matched sentence
    # in text}] (start and end absent in runs before issue 9); quotes honour publication
    # consent when shown, not when stored.
    quotes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["question__phase__position", "question__position", "-size", "key"]
        constraints = [
            models.UniqueConstraint(fields=["run", "question", "key"], name="unique_theme_key")
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.label}"


class Coding(models.Model):
    """What the analysis said about one answer."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="codings")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="codings")
    primary = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="primary_codings"
    )
    themes = models.ManyToManyField(Theme, through="CodedTheme", related_name="codings")
    confidence = models.FloatField(default=0)
    sentiment = models.CharField(max_length=20, blank=True)
    # Internal phases only: the framings of the answer's points, most words first, ";"-joined.
    framing = models.CharField(max_length=60, blank=True)
    campaign = models.CharField(max_length=20, blank=True)
    stance = models.CharField(max_length=10, blank=True)  # for / against / neither
    # The answer's points [{"start", "end", "theme", "framing"}] and the hash of the text they
    # index: the next run (``previous``) keeps the themes of points whose text is unchanged.
    segments = models.JSONField(default=list, blank=True)
    text_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "answer"], name="one_coding_per_answer")
        ]


class CodedTheme(models.Model):
    class Source(models.TextChoices):
        MODEL = "model", "The analysis"
        ANALYST = "analyst", "An analyst"

    coding = models.ForeignKey(Coding, on_delete=models.CASCADE, related_name="coded_themes")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="coded_answers")
    confidence = models.FloatField(default=0)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MODEL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["coding", "theme"], name="unique_coded_theme")
        ]


class AnalysisPart(models.Model):
    """One question of a run analysed on its own, by whichever worker takes it (parts.py).

    A run of several questions is split into parts so several workers share it; the last part
    to finish joins them and stores the run's results. A part whose worker failed or died is
    queued again, up to ``parts.MAX_ATTEMPTS`` times.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="parts")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=200)  # the library's name for it: "phase 1: q2"
    position = models.PositiveIntegerField(default=0)  # the question's place in the run
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    # The library's Analysis of this one question (consulta.analysis.merge.dump): compact JSON,
    # gzipped when large; emptied once the run is joined.
    result = models.BinaryField(null=True, blank=True)
    worker = models.CharField(max_length=64, blank=True)  # "<host>-<pid>" of the last attempt
    error = models.TextField(blank=True)  # the last failed attempt's
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "question"], name="one_part_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.label} of run {self.run_id} ({self.status})"

"""A finished analysis run written by hand, for the workbench's tests: fast and exact.

Phase 2's "trust" question gets the 42 answers of analysis_answers.py, coded into t01 patrols,
t02 schools and t03 data by topic (MODEL rows), except that every seventh answer of each topic
is put in the wrong theme, so machine and person can disagree. Confidence falls from 0.95
by 0.02 an answer, so the least confident are the last. Phase 1's "challenges" answers get one
theme, t01. Nothing is random.
"""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from analysis_answers import add_answers, topic_texts
from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme

TOPICS = {"patrols": "t01", "schools": "t02", "data": "t03"}
WRONG = {"t01": "t02", "t02": "t03", "t03": "t01"}


def finished_run(consultation) -> AnalysisRun:
    made = add_answers(consultation)
    run = AnalysisRun.objects.create(consultation=consultation, status=AnalysisRun.Status.DONE,
                                     finished_at=timezone.now())
    trust = made["partners"][0].question
    themes = {key: Theme.objects.create(run=run, question=trust, key=key, label=f"About {topic}",
                                        description=f"Answers about {topic}.", size=14,
                                        share=1 / 3)
              for topic, key in TOPICS.items()}
    for index, ((topic, _), answer) in enumerate(zip(topic_texts(), made["partners"])):
        key = TOPICS[topic]
        if (index // 3) % 7 == 6:
            key = WRONG[key]
        coding = Coding.objects.create(run=run, answer=answer, primary=themes[key],
                                       confidence=round(0.95 - 0.02 * index, 2),
                                       sentiment="negative" if topic != "schools" else "positive",
                                       campaign="c1" if index < 2 else "")
        CodedTheme.objects.create(coding=coding, theme=themes[key], confidence=coding.confidence)
    challenges = made["internal"][0].question
    other = Theme.objects.create(run=run, question=challenges, key="t01", label="Staffing",
                                 size=len(made["internal"]), share=1)
    for answer in made["internal"]:
        coding = Coding.objects.create(run=run, answer=answer, primary=other, confidence=0.8)
        CodedTheme.objects.create(coding=coding, theme=other, confidence=0.8)
    return run


def trust_codings(run: AnalysisRun) -> list[Coding]:
    return list(Coding.objects.filter(run=run, answer__question__key="trust").order_by("pk"))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def keys_of(coding: Coding) -> set[str]:
    return set(coding.coded_themes.values_list("theme__key", flat=True))

"""How the themes were found and whether people checked them: the report's method section.

Review status comes from the workbench: a question counts as reviewed when its QuestionState
has ``reviewed_at``; decisions in force (not undone) are counted per kind; agreement between the
machine and people is measured on answers analysts coded blind (workbench.agreement). With no
review at all the section says plainly that no person reviewed the themes.
"""

from __future__ import annotations

from collections import Counter

from consulta.web.reports.content import Method, ProfileTable


def _figure(figure) -> str:
    if figure.value is None:
        return "not measurable"
    if figure.low is None:
        return f"{figure.value:.2f}"
    return f"{figure.value:.2f} ({figure.low:.2f}–{figure.high:.2f})"


def build_method(run, questions) -> Method:
    """``questions``: the Question rows of the run's open questions, in order."""
    method = Method()
    if run is None:
        method.paragraphs.append(
            "The open answers have not been analysed yet: this report gives the closed "
            "questions' figures and the respondent profile only.")
        return method
    method.paragraphs.append(
        "Each open answer was split into its points; points saying similar things were grouped "
        "into themes by a statistical model running on our own servers (no answer left them). "
        "A theme's share is of the question's respondents with something to say: each "
        "campaign (identical or near-identical answers) counts once. Shares carry 95% "
        "confidence intervals (Wilson); differences between groups are shown only when they "
        "survive a correction for multiple comparisons (Benjamini–Hochberg, q < 0.05), and "
        "never for groups of fewer than 10 answers.")
    from consulta.web.workbench.models import Decision, QuestionState

    reviewed = set(QuestionState.objects.filter(run=run, reviewed_at__isnull=False)
                   .values_list("question_id", flat=True))
    decisions = Counter(Decision.objects.filter(run=run, undone_at__isnull=True)
                        .exclude(action__in=[Decision.Action.UNDO, Decision.Action.REVIEWED])
                        .values_list("action", flat=True))
    method.reviewed = bool(reviewed or decisions)
    if not method.reviewed:
        method.paragraphs.append(
            "The themes were not reviewed by a person: they are the model's, as it found them.")
    else:
        done = ", ".join(f"{n} × {Decision.Action(a).label.lower()}"
                         for a, n in sorted(decisions.items()))
        method.paragraphs.append(
            f"Analysts reviewed the themes of {len(reviewed)} of {len(questions)} open "
            f"question{'s' if len(questions) != 1 else ''}"
            + (f", and changed them where the model was wrong ({done})." if done else "."))
    method.agreement = _agreement(run, questions)
    if method.agreement is None:
        method.paragraphs.append(
            "No answers were coded blind by an analyst, so no agreement between the model and "
            "people was measured.")
    else:
        method.paragraphs.append(
            "On answers an analyst coded without seeing the model's themes, agreement between "
            "the model and the analyst is given below (Cohen's kappa: 1 is perfect agreement, "
            "0 no better than chance; F1 with the analyst as the reference).")
    method.paragraphs.append(
        "Respondents chose to take part: they are not a representative sample, and the "
        "figures describe what those who responded said, not the views of any population.")
    return method


def _agreement(run, questions) -> ProfileTable | None:
    from consulta.web.workbench.agreement import for_question

    rows = []
    for question in questions:
        found = for_question(run, question)
        if found.n:
            rows.append([question.title, str(found.n), _figure(found.kappa), _figure(found.f1)])
    if not rows:
        return None
    return ProfileTable("Agreement between the model and analysts (95% intervals)",
                        ["Question", "Answers coded blind", "Cohen's kappa", "F1"], rows)

"""Which quotes a report shows, and how it attributes them.

Only answers of submitted responses whose consent allows publishing ("full" or "anonymous") are
quoted. Analysts' candidate quotes (the workbench's Review.quote_candidate) come first; the
machine's chosen passages (Theme.quotes) fill the rest. A published report (``public``) quotes a
text only once every personal-data finding in it has been reviewed (redactions.redacted returns
it, redacted); while the redactions app is absent nothing is quoted in public, since nothing
could have been reviewed.

Attribution: the organisation's name only with consent "full" in an identified phase; otherwise
its type or sector, "anonymous" ("Local authority, anonymous"); in internal phases the role.
"""

from __future__ import annotations

from collections import defaultdict

from consulta.web.consultations.models import Phase
from consulta.web.redactions.services import redacted
from consulta.web.reports.content import Quote
from consulta.web.responses.models import PUBLISHABLE_CONSENT, Answer, Response
from consulta.web.stakeholders.models import Sector

PER_THEME = 2
LONGEST = 400  # characters quoted; longer passages are cut at a sentence end
SECTORS = dict(Sector.choices)


def attribution(answer: Answer) -> str:
    response = answer.response
    organisation = response.organisation
    phase = response.phase
    if phase.audience == Phase.Audience.INTERNAL:
        who = response.role.name if response.role else "Member of staff"
    elif organisation is not None:
        who = organisation.type or SECTORS.get(organisation.sector, "Organisation")
    else:
        who = "Respondent"
    named = (response.consent == Response.Consent.FULL and organisation is not None
             and phase.anonymity == Phase.Anonymity.IDENTIFIED
             and phase.audience != Phase.Audience.INTERNAL)
    who = who[:1].upper() + who[1:]  # types are typed in lower case ("charity")
    return f"{organisation.name}, {who}" if named else f"{who}, anonymous"


def _cut(text: str) -> str:
    """A passage, cut at a sentence end when it is long (a report of 180 themes stays readable)."""
    text = " ".join(text.split())
    if len(text) <= LONGEST:
        return text
    end = max(text.rfind(mark, 0, LONGEST) for mark in ".!?")
    return text[: end + 1] if end > 100 else text[:LONGEST].rsplit(" ", 1)[0] + "…"


def _publishable(answer: Answer, text: str, public: bool) -> str | None:
    if not public:
        return text
    return redacted(answer, text)


def theme_quotes(run, themes, *, public: bool) -> dict[int, list[Quote]]:
    """Per Theme pk, up to PER_THEME quotes."""
    from consulta.web.analysis.models import CodedTheme
    from consulta.web.workbench.models import Review

    theme_pks = [t.pk for t in themes]
    # (theme pk, answer pk, passage or None for the whole answer)
    wanted: dict[int, list[tuple[int, str | None]]] = defaultdict(list)
    candidates = set(Review.objects.filter(run=run, quote_candidate=True)
                     .values_list("answer_id", flat=True))
    if candidates:
        for theme, answer in (CodedTheme.objects.filter(theme__in=theme_pks,
                                                        coding__answer__in=candidates)
                              .order_by("coding__answer_id")
                              .values_list("theme_id", "coding__answer_id")):
            wanted[theme].append((answer, None))
    for theme in themes:
        wanted[theme.pk] += [(q["answer"], q.get("text")) for q in theme.quotes
                             if isinstance(q, dict) and "answer" in q]
    answers = Answer.objects.filter(
        pk__in={a for items in wanted.values() for a, _ in items},
        response__status=Response.Status.SUBMITTED, response__consent__in=PUBLISHABLE_CONSENT,
    ).select_related("response__organisation", "response__phase", "response__role")
    by_pk = {a.pk: a for a in answers}
    found: dict[int, list[Quote]] = {}
    for theme in themes:
        shown = found.setdefault(theme.pk, [])
        seen: set[int] = set()
        for pk, passage in wanted.get(theme.pk, []):
            answer = by_pk.get(pk)
            if answer is None or pk in seen or len(shown) >= PER_THEME:
                continue
            text = _publishable(answer, _cut(passage or answer.text), public)
            if text and text.strip():
                seen.add(pk)
                shown.append(Quote(" ".join(text.split()), attribution(answer)))
    return found

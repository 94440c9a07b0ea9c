"""What the monitoring page shows: shares, timelines, funnels and coverage, and the wording of
its sentences ("3 of 12 local authorities have responded"). The queries are in monitoring.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from consulta.web.consultations.models import Phase
from consulta.web.stakeholders.models import ORGANISATION_TYPES

NO_ORGANISATION = "No organisation"
NO_TYPE = "Type not recorded"
NO_ROLE = "No role given"
# Fewer responses than this in a sector, type or role can point at the people in it (the
# analysis pages suppress such groups; here organisers are warned).
SMALL_GROUP = 10


# --- Result types ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """``count`` out of ``total``: one row of a breakdown, drawn as a bar."""

    label: str
    count: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.total) if self.total else 0

    @property
    def bar(self) -> int:
        """The bar's length out of 100 (a stage can exceed its base: never draw past the end)."""
        return min(self.percent, 100)


@dataclass(frozen=True)
class Day:
    day: date
    submitted: int
    cumulative: int


@dataclass(frozen=True)
class Timeline:
    """Submissions per local day, every day of the span included (quiet days count as 0)."""

    days: list[Day]

    @property
    def total(self) -> int:
        return self.days[-1].cumulative if self.days else 0

    @property
    def busiest(self) -> Day | None:
        return max(self.days, key=lambda d: (d.submitted, -d.day.toordinal()), default=None)


@dataclass(frozen=True)
class Funnel:
    """Personal invitations of one phase. A stage counts everyone who reached it or went past it
    (someone who started without the open being recorded was still opened)."""

    invited: int = 0
    opened: int = 0
    started: int = 0
    submitted: int = 0
    bounced: int = 0
    # Audience people with no invitation sent (nor refused by the mail server) yet:
    not_invited: int = 0
    not_invited_without_email: int = 0
    not_invited_unsubscribed: int = 0

    @property
    def stages(self) -> list[Share]:
        return [
            Share("Invited (sent)", self.invited, self.invited),
            Share("Opened the link", self.opened, self.invited),
            Share("Started a response", self.started, self.invited),
            Share("Submitted", self.submitted, self.invited),
        ]

    @property
    def is_empty(self) -> bool:
        return not (self.invited or self.bounced or self.not_invited or self.submitted)


@dataclass(frozen=True)
class Coverage:
    """How many of the audience's organisations of one type have responded in a phase."""

    type: str  # as organisers typed it; "" when not recorded
    responded: int
    total: int
    waiting: list[str] = field(default_factory=list)  # names of those yet to respond

    @property
    def is_gap(self) -> bool:
        return self.responded < self.total

    @property
    def share(self) -> Share:
        return Share(self.type or NO_TYPE, self.responded, self.total)

    @property
    def sentence(self) -> str:
        if self.responded == 0:
            return f"No response yet from any {type_noun(self.type, 1)}"
        if self.responded == self.total:
            if self.total == 1:
                return f"The one {type_noun(self.type, 1)} in the audience has responded"
            return f"All {self.total} {type_noun(self.type, 2)} have responded"
        verb = "has" if self.responded == 1 else "have"
        noun = type_noun(self.type, self.total)
        return f"{self.responded} of {self.total} {noun} {verb} responded"


@dataclass(frozen=True)
class PhaseMonitoring:
    phase: Phase
    submitted: int
    drafts: int  # started and not submitted
    timeline: Timeline
    by_sector: list[Share]
    by_type: list[Share]
    by_role: list[Share]
    funnel: Funnel
    coverage: list[Coverage]  # gaps first
    invited_organisations: Share  # organisations of invited people that responded

    @property
    def undated(self) -> int:
        """Submitted responses with no submission time (some imports): not on the timeline."""
        return self.submitted - self.timeline.total

    @property
    def records_organisations(self) -> bool:
        """Internal phases ask for a role, not an organisation: organisation figures say nothing
        there unless some response does name one."""
        has_any = any(row.label != NO_ORGANISATION and row.count for row in self.by_sector)
        return self.phase.audience != Phase.Audience.INTERNAL or has_any

    @property
    def records_roles(self) -> bool:
        has_any = any(row.label != NO_ROLE and row.count for row in self.by_role)
        return self.phase.audience == Phase.Audience.INTERNAL or has_any

    @property
    def invited_sentence(self) -> str:
        share = self.invited_organisations
        if not share.total:
            return "No organisation has been sent an invitation to this phase yet."
        noun = "organisation" if share.total == 1 else "organisations"
        verb = "has" if 1 in (share.count, share.total) else "have"
        return (f"{share.count} of {share.total} invited {noun} {verb} responded "
                f"({share.percent}%).")

    @property
    def small_groups(self) -> list[str]:
        """Sectors, types and roles shown with 1 to SMALL_GROUP - 1 responses in a phase that
        promised not to name people: someone who knows who is in one may tell who answered."""
        if self.phase.anonymity == Phase.Anonymity.IDENTIFIED:
            return []
        shown = [*(self.by_sector + self.by_type if self.records_organisations else []),
                 *(self.by_role if self.records_roles else [])]
        return [row.label for row in shown if 0 < row.count < SMALL_GROUP]

    @property
    def gaps(self) -> list[Coverage]:
        return [item for item in self.coverage if item.is_gap]


# --- Wording ---------------------------------------------------------------------------------

# Last words that already name a kind of organisation ("NHS trust"); other types, such as
# "education", read as "education organisation".
ORGANISATION_NOUNS = frozenset(
    ["academy", "agency", "alliance", "association", "authority", "bank", "board", "body", "business", "centre", "charity", "church", "club", "coalition", "college", "commission", "committee", "company", "consortium", "cooperative", "council", "court", "department", "employer", "enterprise", "federation", "firm", "force", "forum", "foundation", "group", "hospital", "institute", "institution", "insurer", "landlord", "mosque", "network", "office", "operator", "organisation", "organization", "panel", "partnership", "practice", "prison", "provider", "publisher", "retailer", "school", "service", "society", "surgery", "synagogue", "tank", "team", "temple", "trust", "union", "unit", "university"]
)
KNOWN_TYPES = {" ".join(t.casefold().split()): t for t in ORGANISATION_TYPES}


def plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in set("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def type_noun(type_: str, count: int) -> str:
    """An organisation type as a noun phrase for a sentence: "local authority"/"local authorities",
    "education organisation(s)", "organisation(s) of another type"."""
    words = type_.split()
    if words and words[0][:1].isupper() and not words[0].isupper():
        words[0] = words[0].lower()  # "Charity" mid-sentence; keep acronyms such as "NHS"
    if not words:
        return "organisation with no type recorded" if count == 1 else (
            "organisations with no type recorded")
    if type_key(type_) == "other":
        return "organisation of another type" if count == 1 else "organisations of other types"
    if words[-1].casefold() not in ORGANISATION_NOUNS:
        words.append("organisation")
    if count != 1:
        words[-1] = plural(words[-1])
    return " ".join(words)


def type_key(type_: str | None) -> str:
    return " ".join((type_ or "").casefold().split())


def type_label(key: str, spellings: set[str]) -> str:
    """One spelling per type: the suggested list's, else the first typed (deterministic)."""
    return KNOWN_TYPES.get(key) or min(spellings, default="")

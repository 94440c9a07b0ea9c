"""Personal data in free text: where it is, and the text with it replaced by placeholders.

Offline and rule based (issue 11, item 3): regular expressions for structured data (email
addresses, UK phone numbers, postcodes, street addresses, NHS numbers with their check digit,
police collar / warrant numbers) and rules for people's names (a title before capitalised
words, "my name is …", "I'm …", sign-offs such as "Kind regards, …", and a short list of common
first names written for the project). No installed package ships a licensed name list or a
small NER model, so names found only by context are missed when none of these rules apply:
findings are proposals for a person to review, not a guarantee.

``find_personal_data`` returns non-overlapping findings in text order; where two kinds
overlap the more specific one wins (an email's digits are not a phone number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from consulta.analysis.data.first_names import FIRST_NAMES

__all__ = ["KINDS", "PLACEHOLDERS", "Finding", "find_personal_data", "redact"]

#: Kinds of personal data, most specific first (the order overlaps are resolved in).
KINDS = ("email", "nhs_number", "phone", "postcode", "address", "collar_number", "name")
PLACEHOLDERS = {"email": "[email]", "nhs_number": "[NHS number]", "phone": "[phone]",
                "postcode": "[postcode]", "address": "[address]",
                "collar_number": "[collar number]", "name": "[name]"}


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    kind: str
    text: str


# --- structured data -------------------------------------------------------------------------

EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A UK number: +44 (with an optional "(0)") or a leading 0, then digits with spaces, dashes or
# brackets; the digit count is checked afterwards (10 or 11 national digits).
PHONE = re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d[\d\s()-]{7,14}\d(?!\w)")
PHONE_PREFIXES = ("01", "02", "03", "05", "07", "08")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)
NHS_NUMBER = re.compile(r"(?<![\d-])\d{3}[\s-]?\d{3}[\s-]?\d{4}(?![\d-])")
STREET_WORDS = ("Road|Rd|Street|St|Lane|Avenue|Ave|Close|Drive|Way|Gardens|Court|Place|"
                "Crescent|Terrace|Hill|Square|Grove|Row|Walk|Mews|Rise|Park|Parade|Vale|View|"
                "Green|Yard|Wharf|Embankment|Broadway|Passage|Approach")
ADDRESS = re.compile(
    r"\b\d{1,4}[A-Za-z]?,?\s+(?:(?:[A-Z][\w'’-]*|of|the|and)\s+){1,4}?(?:" + STREET_WORDS
    + r")\b(?!\s+(?:station|closure|area|development|project|estate)\b)")
# "PC 1234AB", "DC 456"; "collar number 3127", "shoulder no. 87GD" (the number is the finding).
COLLAR = re.compile(r"\b(?:W?PC|PCSO|PS|DC|DS|DI|DCI|Sgt|Insp)\.?\s?\d{2,6}[A-Z]{0,3}\b")
COLLAR_WORDED = re.compile(
    r"\b(?:collar|shoulder|warrant)\s+(?:number|no\.?)(?:\s+[a-z]+){0,4}?[\s:,]*"
    r"(?:W?PC|PS|PCSO)?\s?(\d{2,7}[A-Z]{0,3}|[A-Z]{1,2}\d{2,7})\b", re.IGNORECASE)


def _phone_ok(text: str) -> bool:
    digits = re.sub(r"\D", "", text.replace("(0)", ""))
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return len(digits) in (10, 11) and digits.startswith(PHONE_PREFIXES)


def nhs_number_ok(text: str) -> bool:
    """The NHS number's Modulus 11 check digit holds (weights 10..2 on the first nine)."""
    digits = re.sub(r"\D", "", text)
    if len(digits) != 10:
        return False
    check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


# --- names -----------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


TITLES = (r"Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|PC|WPC|PCSO|PS|DC|DS|DI|DCI|Sgt|Sergeant|Insp|"
          r"Inspector|Supt|Superintendent|Cllr|Councillor|Rev|Revd|Sir|Dame|Lord|Lady")
# A capitalised name word: "O'Brien", "Fitzgerald", "Ní", an initial "R." (not "I").
NAME_WORD = r"(?:[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)*|O['’][A-Z][a-z]+|Mc[A-Z][a-z]+|[A-HJ-Z]\.)"
NAME = NAME_WORD + r"(?:[ \t]+" + NAME_WORD + r"){0,2}"
TITLED = re.compile(r"\b(?:" + TITLES + r")\.?(?:\s+and\s+(?:Mrs|Mr|Ms))?\s+(" + NAME + r")")
INTRODUCED = re.compile(r"\b(?:[Mm]y name(?: is|'s|’s)|I am|I'm|I’m|[Cc]all me)\s+(" + NAME + ")")
# "my nephew Marcus", "our son's friend Kofi", "ask for Gloria": a relation or a request, then
# a capitalised word that is not a common word ("my son Tyrone", not "my son The").
RELATION = re.compile(
    r"\b(?:[Mm]y|[Oo]ur|[Hh]is|[Hh]er|[Tt]heir)\s+(?:\w+['’]s\s+)?(?:son|daughter|nephew|niece|"
    r"friend|neighbour|husband|wife|partner|mum|mother|dad|father|brother|sister|cousin|"
    r"grandson|granddaughter|colleague|manager|carer|boss)\s+(" + NAME + ")"
    r"|\b(?:[Aa]sk for|[Ss]peak to|[Tt]alk to|[Ss]poke to|[Ss]poke with)\s+(" + NAME + ")")
SIGN_OFF = re.compile(
    r"(?:^|\n|[.!]\s+)(?:(?:Kind |Best |Warm |With )?[Rr]egards|Best wishes|Many thanks|"
    r"Thanks|Thank you|Cheers|Yours (?:sincerely|faithfully|truly)|Love)[ \t]*,?[ \t]*\n?[ \t]*("
    + NAME + r"(?:\s+and\s+" + NAME + r")?)\s*[.!]?\s*(?:\(|$)")
WORD = re.compile(NAME_WORD)
SAINT = re.compile(r"\b(?:St|Saint|King|Queen|Prince|Princess)\.?\s+$")
# Words after a first name that make it a place or an organisation ("Victoria Line").
NOT_PERSON = _words(
    "Line Station Road Street Lane Park Hospital Council Centre Center Square Gardens Place "
    "Avenue Close Drive Way Terrace Crescent Embankment Cinema Estate School College "
    "University Academy Trust Foundation Police Service Library Common Wharf Museum Theatre "
    "Borough Project Group Team Club")
# Capitalised words an introduction may be followed by that are not names ("I am British").
NOT_NAME = _words(
    "A An The I It This That My Our We You He She They Not Very So Also Just Still Now Here "
    "There British English Black White Asian Irish Scottish Welsh Muslim Christian Jewish "
    "Sikh Hindu Disabled Deaf Blind Writing Worried Concerned Happy Sorry Afraid Sure Glad "
    "Retired Resident Local Angry Tired Fed Sir Madam Dear Please Yes No Officer Officers "
    "Commissioner Council Met Police London On In At For To Of And But Or If When")


def _names(text: str) -> list[tuple[int, int]]:
    spans = []
    for pattern in (TITLED, INTRODUCED, SIGN_OFF):
        for match in pattern.finditer(text):
            spans.extend(_name_parts(text, match.start(1), match.end(1),
                                     strict=pattern is INTRODUCED, titled=pattern is TITLED))
    for match in RELATION.finditer(text):
        group = 1 if match.group(1) else 2
        spans.extend(_name_parts(text, match.start(group), match.end(group), strict=False))
    for match in WORD.finditer(text):
        if match.group() in FIRST_NAMES and not SAINT.search(text, 0, match.start()):
            spans.extend(_name_parts(text, match.start(), _surname_end(text, match.end()),
                                     strict=False))
    return spans


def _name_parts(text: str, start: int, end: int, *, strict: bool,
                titled: bool = False) -> list[tuple[int, int]]:
    """The name in text[start:end], cut before words that are not names; "Paul and Mary
    Fitzgerald" is one span. ``strict`` (after "I am"): the first word must not be a common
    word ("I am British"); ``titled``: after a title, "Ward" is a surname, not a place."""
    words = [m for m in WORD.finditer(text, start, end)]
    kept = []
    for m in words:
        if m.group() in NOT_NAME or (not titled and m.group() in NOT_PERSON):
            break
        kept.append(m)
    if not kept:
        return []
    if strict and kept[0].group() not in FIRST_NAMES and len(kept) == 1 and \
            _lower_follows(text, kept[0].end()):
        return []
    if not titled and _followed_by_place(text, kept[-1].end()):
        return []
    return [(kept[0].start(), kept[-1].end())]


def _surname_end(text: str, end: int) -> int:
    """A first name's span grows over one or two capitalised words after it (its surname)."""
    for _ in range(2):
        match = re.compile(r"[ \t]+(" + NAME_WORD + r")").match(text, end)
        if not match or match.group(1) in NOT_NAME or match.group(1) in NOT_PERSON:
            break
        end = match.end()
    return end


def _followed_by_place(text: str, end: int) -> bool:
    match = re.compile(r"[ \t]+([A-Z][a-z]+)").match(text, end)
    return bool(match) and match.group(1) in NOT_PERSON


def _lower_follows(text: str, end: int) -> bool:
    return bool(re.compile(r"\s+[a-z]").match(text, end))


# --- finding and redacting -------------------------------------------------------------------


def find_personal_data(text: str) -> list[Finding]:
    """The personal data in ``text``, in text order, never overlapping."""
    candidates: list[tuple[int, int, str]] = []
    candidates += [(m.start(), m.end(), "email") for m in EMAIL.finditer(text)]
    candidates += [(m.start(), m.end(), "nhs_number") for m in NHS_NUMBER.finditer(text)
                   if nhs_number_ok(m.group()) and not m.group().startswith("0")]
    candidates += [(m.start(), m.end(), "phone") for m in PHONE.finditer(text)
                   if _phone_ok(m.group())]
    candidates += [(m.start(), m.end(), "postcode") for m in POSTCODE.finditer(text)]
    candidates += [(m.start(), m.end(), "address") for m in ADDRESS.finditer(text)]
    candidates += [(m.start(), m.end(), "collar_number") for m in COLLAR.finditer(text)]
    candidates += [(m.start(1), m.end(1), "collar_number") for m in COLLAR_WORDED.finditer(text)]
    candidates += [(start, end, "name") for start, end in _names(text)]
    taken: list[Finding] = []
    for start, end, kind in sorted(candidates, key=lambda c: (KINDS.index(c[2]), c[0])):
        start, end = _trim(text, start, end)
        if end > start and not any(start < f.end and f.start < end for f in taken):
            taken.append(Finding(start, end, kind, text[start:end]))
    return sorted(taken, key=lambda f: f.start)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in " \t\n,.;:()":
        end -= 1
    while start < end and text[start] in " \t\n,.;:()":
        start += 1
    if text[start:end].startswith("0") and start > 0 and text[start - 1] == "(":
        start -= 1  # "(020) 7946 0321": the bracket belongs to the number
    return start, end


def redact(text: str, findings: list[Finding] | None = None) -> str:
    """``text`` with each finding replaced by its placeholder ("[name]", "[email]", …)."""
    if findings is None:
        findings = find_personal_data(text)
    pieces, last = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start < last:
            continue  # overlapping findings: the first one replaced covers it
        pieces += [text[last:finding.start], PLACEHOLDERS.get(finding.kind, f"[{finding.kind}]")]
        last = finding.end
    pieces.append(text[last:])
    return "".join(pieces)

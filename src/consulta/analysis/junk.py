"""Answers with no content: "sdf", "x", "same as above", keyboard mashes, only punctuation.

Such an answer is not empty (someone typed something) but says nothing a theme could hold, so
it is put in a "no content" bucket of its own: not a theme, not "other", left out of the shares.
The rules look at the answer's shape, never at a word list of one consultation:

- no letters at all ("???", "--", "123"), unless an emoji ("👍" says something);
- a reference to another answer ("same as above", "see previous answer"), "test", "ditto";
- only short tokens that are not words: a single letter ("x"), a token with no vowel ("sdf",
  "fgh"), a run of one character ("aaaa"), or a run along a keyboard row ("asdf", "qwerty").

"No", "None", "Nothing", "N/A" and "No comment" are answers (no drawbacks, nothing to add)
and are kept: human coders code them ("Not assigned" in the NHS framework), and flagging them
cost NHS FFT 0.02 theme recall, as that code's answers no longer formed a theme.
"""

from __future__ import annotations

import re
import unicodedata

NO_CONTENT = "no content"

_LETTERS = re.compile(r"[^\W\d_]")
_TOKEN = re.compile(r"[^\W\d_]+")
_REFERENCE = re.compile(
    r"^(?:(?:the\s+)?same(?:\s+as)?(?:\s+(?:above|before|previous(?:ly)?|last(?:\s+time)?|"
    r"my\s+(?:previous|last|other)\s+answer|question\s*\d*|q\d+))?|(?:see|as)\s+(?:above|below|"
    r"previous(?:\s+answer|\s+question)?|my\s+(?:previous|last|other)\s+answer|q\d+|"
    r"question\s*\d+)|ditto|test(?:ing)?|blah(?:\s+blah)*"
    r")[\s.!]*$",
    re.IGNORECASE,
)
_NOT_APPLICABLE = re.compile(r"^n\s*/\s*a\W*$|^na\W*$", re.IGNORECASE)
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
_VOWELS = set("aeiouy")
#: An answer of more tokens than this is never a mash: it is a sentence, however badly typed.
MAX_MASH_TOKENS = 3


def is_no_content(text: str) -> bool:
    """Whether an answer says nothing a theme could hold (see the module's rules)."""
    stripped = " ".join(str(text).split())
    if not stripped:
        return False  # empty answers are counted as empty, not here
    if _NOT_APPLICABLE.match(stripped):
        return False
    if not _LETTERS.search(stripped):
        # an emoji ("❤️", "👍") says something; punctuation and numbers alone do not
        return not any(unicodedata.category(c) == "So" for c in stripped)
    if _REFERENCE.match(stripped):
        return True
    tokens = _TOKEN.findall(stripped)
    return len(tokens) <= MAX_MASH_TOKENS and all(_is_mash(t) for t in tokens)


def _is_mash(token: str) -> bool:
    if len(token) == 1:
        return True  # one letter alone says nothing
    if token.isupper() and len(token) <= 5 and len(set(token)) > 1:
        return False  # an acronym: "NHS", "CCTV", "GP"
    token = token.lower()
    if len(set(token)) == 1:
        return True
    if not any(c in _VOWELS for c in token) and token.isascii():
        return True
    return len(token) >= 3 and any(token in row or token in row[::-1] for row in _KEYBOARD_ROWS)

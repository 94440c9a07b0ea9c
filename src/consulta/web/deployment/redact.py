"""Secrets out of the server's logs.

A respondent's personal links carry their secret in the path (``/i/<token>/``, ``/r/<token>/``,
``/unsubscribe/<signed>/``, ``/done/<signed>/``), a staff link in its query (``?key=``) and a
password reset in ``/reset/<uid>/<token>/``. Django logs the path of every 404 and 500
("Not Found: /i/…/"), CSRF refusals and runserver's request lines; waitress logs the path of a
request that failed. Anyone reading the log could then answer as the respondent. This filter
replaces each secret with ``[redacted]``, keeping the rest of the line for diagnosis.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
_SECRET_IN_PATH = re.compile(
    r"(?P<keep>/(?:i|r|unsubscribe|done|join|invitation)/|/reset/[^/\s?#]+/)[^/\s?#\"']+"
)
_SECRET_IN_QUERY = re.compile(r"(?P<keep>[?&;](?:key|token|signature|code)=)[^&\s#\"']+",
                              re.IGNORECASE)


def redact(text: str) -> str:
    """``"Not Found: /i/Zk3…/begin/"`` -> ``"Not Found: /i/[redacted]/begin/"``."""
    text = _SECRET_IN_PATH.sub(rf"\g<keep>{REDACTED}", text)
    return _SECRET_IN_QUERY.sub(rf"\g<keep>{REDACTED}", text)


class RedactSecrets(logging.Filter):
    """A logging filter: rewrites the record's message (and traceback) without secrets.

    Put it on the handlers (every record they write passes it, from any logger) and on the
    loggers that name paths (their records pass it before reaching any handler, pytest's
    included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            # Formatters print exc_text when it is set, instead of formatting exc_info again.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True

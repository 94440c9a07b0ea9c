"""A real SMTP server on loopback for tests (aiosmtpd), and the ``smtp_server`` fixture.

The server records every message it accepts, parsed with the standard ``email`` package, and
refuses recipients whose address starts with "bounce" the way a real server refuses an unknown
mailbox: ``550 5.1.1 No such user`` in answer to RCPT TO.

Every test can ask for the fixture: tests/conftest.py registers this module as a plugin.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

REFUSAL = "550 5.1.1 No such user"


@dataclass
class Received:
    """One accepted message: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, content_type: str) -> str:
        """The decoded text of the first part of this type (text/plain or text/html)."""
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_multipart():
                return part.get_content()
        raise LookupError(f"no {content_type} part")

    @property
    def text(self) -> str:
        return self.part("text/plain")

    @property
    def html(self) -> str:
        return self.part("text/html")


@dataclass
class RecordingHandler:
    messages: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("bounce"):
            with self.lock:
                self.refused.append(address)
            return REFUSAL
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                          policy=email.policy.default)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


class SMTPServer:
    """What tests see: the messages received, by recipient."""

    def __init__(self, handler: RecordingHandler, port: int):
        self.handler = handler
        self.host = "127.0.0.1"
        self.port = port

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)

    @property
    def refused(self) -> list[str]:
        with self.handler.lock:
            return list(self.handler.refused)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]

    def recipients(self) -> list[str]:
        return [address for m in self.messages for address in m.rcpt_tos]

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.messages.clear()
            self.handler.refused.clear()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server on 127.0.0.1, with Django's email settings pointing at it."""
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield SMTPServer(handler, controller.port)
    finally:
        controller.stop()

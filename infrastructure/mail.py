"""Sending mail over SMTP (the standard library's smtplib), configured from the environment."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from application.outbox import Mail

TLS_MODES = ("none", "starttls", "ssl")


class MailSettingsInvalid(ValueError):
    """A mail setting that cannot work (e.g. an unknown TLS mode or a port that is not a number)."""


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send: without a host nothing is sent and the outbox keeps every message."""

    host: str | None
    port: int
    tls: str
    username: str | None
    password: str | None
    sender: str
    office: str | None
    language: str
    base_url: str
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MailSettings:
        """Read JEJAK_SMTP_* and JEJAK_MAIL_* (see the README's mail settings)."""
        tls = env.get("JEJAK_SMTP_TLS", "starttls").strip().lower()
        if tls not in TLS_MODES:
            raise MailSettingsInvalid(f"JEJAK_SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {tls!r}")
        default_port = {"none": 25, "starttls": 587, "ssl": 465}[tls]
        raw_port = env.get("JEJAK_SMTP_PORT", str(default_port))
        if not raw_port.isdigit():
            raise MailSettingsInvalid(f"JEJAK_SMTP_PORT must be a number, not {raw_port!r}")
        language = env.get("JEJAK_MAIL_LANGUAGE", "id")
        if language not in ("id", "en"):
            raise MailSettingsInvalid(f"JEJAK_MAIL_LANGUAGE must be id or en, not {language!r}")
        return cls(
            host=env.get("JEJAK_SMTP_HOST") or None,
            port=int(raw_port),
            tls=tls,
            username=env.get("JEJAK_SMTP_USERNAME") or None,
            password=env.get("JEJAK_SMTP_PASSWORD") or None,
            sender=env.get("JEJAK_MAIL_SENDER", "Jejak <jejak@localhost>"),
            office=env.get("JEJAK_MAIL_HR") or None,
            language=language,
            base_url=env.get("JEJAK_BASE_URL", "http://127.0.0.1:5000"),
        )

    @property
    def configured(self) -> bool:
        """True when an SMTP host is set."""
        return self.host is not None


class SmtpMailer:
    """Sends each message over one SMTP connection per run (opened on first use)."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.host is not None
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.tls == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.tls == "starttls":
                smtp.starttls(context=context)
        if s.username:
            smtp.login(s.username, s.password or "")
        return smtp

    def send(self, mail: Mail) -> None:
        """Send one message; a broken connection is dropped so the next message opens a new one."""
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = mail.message_id
        message.set_content(mail.body)
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(message)
        except (smtplib.SMTPException, OSError):
            self.close()
            raise

    def close(self) -> None:
        """Say goodbye to the server, if connected."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None

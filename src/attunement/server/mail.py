"""Sending notices by mail, with the standard library's smtplib, when the server has an
SMTP setting (``ATTUNE_SERVER_SMTP_*``). A message says only that something happened
and where to sign in: never a word of what was shared or written."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from attunement.errors import AttuneError
from attunement.server.config import Smtp

TIMEOUT_S = 20


class MailFailed(AttuneError):
    code = "mail_failed"
    exit_code = 3
    http_status = 503
    sent = 0  # how many messages went before the failure


def message(smtp: Smtp, to: str, subject: str, text: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = smtp.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=smtp.sender.rsplit("@", 1)[-1])
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    msg.set_content(text)
    return msg


def send(smtp: Smtp, messages: Iterable[EmailMessage]) -> int:
    """Send each message over one connection; the count sent. Raises :class:`MailFailed`
    with one sentence if the mail server cannot be reached or refuses."""
    sent = 0
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_S) as conn:
            conn.ehlo()
            if smtp.starttls:
                context = ssl.create_default_context(cafile=smtp.cafile or None)
                conn.starttls(context=context)
                conn.ehlo()
            if smtp.user:
                conn.login(smtp.user, smtp.password)
            for msg in messages:
                conn.send_message(msg)
                sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        failed = MailFailed(
            f"Could not send mail through {smtp.host}:{smtp.port} ({_reason(exc)}); check "
            "the ATTUNE_SERVER_SMTP_* settings. What was not sent is tried again next time.",
            field="smtp",
        )
        failed.sent = sent
        raise failed from exc
    return sent


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "the user name or password was refused"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "it does not offer STARTTLS or login"
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return "its TLS certificate is not trusted"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"it answered {exc.smtp_code}"
    if isinstance(exc, ConnectionRefusedError):
        return "nothing answers there"
    if isinstance(exc, TimeoutError):
        return "it did not answer in time"
    return type(exc).__name__

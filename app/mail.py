"""Outgoing email through the deployment's SMTP relay (``MAIL_*`` settings), with the standard library.

Off when ``MAIL_SERVER`` is unset: nothing is sent, and the process says so once in its log.
"""

import logging
import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)
TIMEOUT = 20  # seconds for the relay to answer; a job that gives up is retried by RQ
_said_off: set[int] = set()  # the apps (by id) that have logged "mail off" already


def enabled() -> bool:
    """Whether this deployment sends email; logs once per app when it does not."""
    if current_app.config.get("MAIL_SERVER"):
        return True
    if id(current_app._get_current_object()) not in _said_off:
        _said_off.add(id(current_app._get_current_object()))
        log.warning("MAIL_SERVER is not set: no email is sent (reminders are not recorded)")
    return False


def message(to: str, subject: str, text: str, html: str) -> EmailMessage:
    """A plain-text email with an HTML alternative, from ``MAIL_FROM``."""
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = current_app.config["MAIL_FROM"], to, subject
    email.set_content(text)
    email.add_alternative(html, subtype="html")
    return email


def send(email: EmailMessage) -> None:
    """Hand ``email`` to the relay. Raises OSError or smtplib.SMTPException when it cannot (the caller's job fails
    and is retried)."""
    cfg = current_app.config
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=TIMEOUT) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(email)

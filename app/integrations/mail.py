"""Outgoing email over SMTP. Without MAIL_SERVER (a newcomer's machine) the message is logged."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app


def send_mail(
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
) -> EmailMessage:
    """Send one message; `attachments` are (filename, data, "type/subtype"). The returned
    message carries its Message-ID, kept in the case timeline."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="recouvra.local")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for filename, data, mimetype in attachments:
        maintype, subtype = mimetype.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if not config.get("MAIL_SERVER"):
        current_app.logger.info("MAIL_SERVER unset; email not sent:\n%s", message)
        return message
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
    return message

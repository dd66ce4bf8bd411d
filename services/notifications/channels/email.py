"""E-mail over SMTP (``CARECIRCLE_SMTP_HOST``/``PORT``, STARTTLS and login when configured).
The message's id goes into Message-ID, so a copy sent twice after a retry is recognisable."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from services.notifications.channels import ChannelError, Outgoing, Sent
from shared.settings import Settings

TIMEOUT = 10.0


class SmtpChannel:
    kind = "email"
    needs_address = True

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, message: Outgoing) -> Sent:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.settings.smtp_sender, message.to, message.subject or ""
        mail["Message-ID"] = make_msgid(idstring=message.message_id, domain="carecircle")
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=TIMEOUT) as smtp:
                self._login(smtp)
                smtp.send_message(mail)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            raise ChannelError(f"the mail server refused the message: {type(exc).__name__}", transient=False) from exc
        except (OSError, smtplib.SMTPException) as exc:  # down, disconnected, busy, timed out
            raise ChannelError(f"mail server unreachable: {type(exc).__name__}", transient=True) from exc
        return Sent(provider_id=mail["Message-ID"])

    def _login(self, smtp: smtplib.SMTP) -> None:
        if self.settings.smtp_starttls:
            smtp.starttls()
        if self.settings.smtp_user:
            smtp.login(self.settings.smtp_user, self.settings.smtp_password.get_secret_value())

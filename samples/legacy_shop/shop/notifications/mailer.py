"""Sends email over SMTP. One connection per mail (we tried pooling, see git history)."""
import smtplib
import socket
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from shop import config
from shop.utils import log

RETRIES = 2


class MailError(Exception):
    pass


def build_message(recipient, subject, body_text, body_html=None, bcc=None):
    message = MIMEMultipart("alternative")
    message["From"] = config.MAIL_FROM
    message["To"] = recipient
    message["Subject"] = subject
    if bcc:
        message["Bcc"] = ", ".join(bcc)
    message.attach(MIMEText(body_text or "", "plain", "utf-8"))
    if body_html:
        message.attach(MIMEText(body_html, "html", "utf-8"))
    return message


def send_mail(recipient, subject, body_text, body_html=None, bcc=None):
    if config.TESTING:
        log.info("TESTING: not sending %r to %s", subject, recipient)
        return True
    message = build_message(recipient, subject, body_text, body_html, bcc)
    last_error = None
    for attempt in range(RETRIES + 1):
        try:
            server = smtplib.SMTP(config.SMTP_HOST, config.SMTP_PORT, timeout=20)
            server.starttls()
            server.login(config.SMTP_USER, config.SMTP_PASSWORD)
            server.sendmail(config.MAIL_FROM, [recipient] + list(bcc or []), message.as_string())
            server.quit()
            return True
        except (smtplib.SMTPException, socket.error) as exc:
            last_error = exc
            log.warning("mail to %s failed (attempt %d): %s", recipient, attempt + 1, exc)
    raise MailError(str(last_error))

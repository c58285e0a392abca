"""Notification jobs: welcome mails, retries, newsletter."""
from shop.customers import repository as customer_repository
from shop.notifications import mailer, repository, service
from shop.utils import chunked, days_ago, log


def send_welcome_mails():
    rows = repository.customers_without_welcome_mail()
    for row in rows:
        service.welcome(row)
    return len(rows)


def retry_failed(days=2):
    retried = 0
    for row in repository.failed_since(days_ago(days)):
        try:
            mailer.send_mail(row["recipient"], row["subject"], "(resent) " + row["subject"])
        except mailer.MailError:
            continue
        repository.mark_sent(row["id"])
        retried += 1
    return retried


def send_newsletter(subject, body_text, body_html=None, batch_size=200):
    """Sofia's newsletter. Sent in batches so the SMTP relay does not block us."""
    sent = 0
    for batch in chunked(customer_repository.newsletter_recipients(), batch_size):
        for row in batch:
            try:
                mailer.send_mail(row["email"], subject, body_text, body_html)
                sent += 1
            except mailer.MailError as exc:
                log.warning("newsletter to %s failed: %s", row["id"], exc)
    return sent

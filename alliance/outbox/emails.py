"""Every e-mail the outbox sends is made here: from the practice by name, with the message's
stable Message-ID."""

from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from alliance.outbox.models import Message
from alliance.practice.models import Practice


def message_id(message: Message) -> str:
    # Stable across retries (unlike email.utils.make_msgid), so a duplicate is recognisable.
    domain = urlsplit(settings.SITE_URL).hostname or "alliance.invalid"
    return f"<{message.uuid}@{domain}>"


def templated_email(
    message: Message, *, to: list[str], subject: str, template: str, context: dict[str, object]
) -> EmailMultiAlternatives:
    """The e-mail from `template`.txt and `template`.html, from the practice by name, with the
    message's Message-ID."""
    practice = Practice.objects.current()
    context = {**context, "subject": subject}
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=formataddr((practice.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1])),
        to=to,
        # No practice address: no Reply-To, and the templates ask for no reply.
        reply_to=[practice.email] if practice.email else [],
        # RFC 3834: vacation responders and the like must not answer it.
        headers={"Message-ID": message_id(message), "Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return email

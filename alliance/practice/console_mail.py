"""The e-mail backend of a bare checkout (no EMAIL_HOST): each e-mail printed as a person reads
it, its headers and plain text, instead of raw MIME, whose quoted-printable lines break long
links at "=" so that a copied link does not work."""

from django.core.mail import EmailMessage
from django.core.mail.backends import console

HEADERS = ("From", "To", "Cc", "Reply-To", "Subject")


class EmailBackend(console.EmailBackend):
    def write_message(self, message: EmailMessage) -> None:
        built = message.message()  # the headers exactly as they would be sent
        lines = [f"{name}: {built[name]}" for name in HEADERS if built[name] is not None]
        text = message.body if message.body.endswith("\n") else message.body + "\n"
        others = [alternative.mimetype for alternative in getattr(message, "alternatives", [])]
        others += [
            getattr(part, "filename", None) or "an attachment" for part in message.attachments
        ]
        also = f"\nAlso in this e-mail: {', '.join(others)}\n" if others else ""
        self.stream.write("\n".join(lines) + "\n\n" + text + also + "-" * 79 + "\n")

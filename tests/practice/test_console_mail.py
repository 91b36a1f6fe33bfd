"""The console e-mail of a bare checkout: headers and the plain text, links whole."""

import io

from django.core.mail import EmailMultiAlternatives

from alliance.practice.console_mail import EmailBackend

LINK = "http://127.0.0.1:8101/appointments/manage/" + "a1b2c3d4e5=" * 12 + "/"


def test_it_prints_the_headers_and_the_text_with_long_links_whole() -> None:
    email = EmailMultiAlternatives(
        subject="Booked: Free 15-minute consultation on Tue 8 Dec, 10:00 AM EST",
        body=f"You are booked.\n\nTo change or cancel: {LINK}\n",
        from_email='"Smith, Jones & Associates" <no-reply@localhost>',
        to=["casey@example.com"],
        reply_to=["office@example.org"],
    )
    email.attach_alternative(f'<p><a href="{LINK}">Change</a></p>', "text/html")
    email.attach("appointment.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    stream = io.StringIO()
    assert EmailBackend(stream=stream).send_messages([email]) == 1
    printed = stream.getvalue()
    assert printed.startswith(
        'From: "Smith, Jones & Associates" <no-reply@localhost>\n'
        "To: casey@example.com\n"
        "Reply-To: office@example.org\n"
        "Subject: Booked: Free 15-minute consultation on Tue 8 Dec, 10:00 AM EST\n"
        "\n"
        "You are booked.\n"
        "\n"
        f"To change or cancel: {LINK}\n"
    )
    assert "Also in this e-mail: text/html, appointment.ics" in printed
    assert "Content-Transfer-Encoding" not in printed
    assert "=\n" not in printed

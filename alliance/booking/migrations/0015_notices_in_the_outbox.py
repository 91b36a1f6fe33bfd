"""The front desk's notice of a consultation request and the answer to a session asked for on
the web become outbox messages, so their delivery is recorded there and not on the rows.

What the old columns knew is carried over: a notice already sent becomes a sent message; a new
request not yet told, and a pending booking not yet answered whose time is still ahead, get a
queued one (their old task may have been lost, or is gone with this release).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def carry_over(apps, schema_editor):  # type: ignore[no-untyped-def]
    ConsultationRequest = apps.get_model("booking", "ConsultationRequest")
    PendingBooking = apps.get_model("booking", "PendingBooking")
    Message = apps.get_model("booking", "Message")
    now = timezone.now()
    rows = [
        Message(
            consultation_request=told,
            kind="request_notice",
            status="sent",
            send_after=told.created_at,
            next_attempt_at=told.created_at,
            attempts=1,
            sent_at=told.notified_at,
        )
        for told in ConsultationRequest.objects.filter(notified_at__isnull=False)
    ]
    rows += [
        Message(consultation_request=untold, kind="request_notice", send_after=now, next_attempt_at=now)
        for untold in ConsultationRequest.objects.filter(notified_at__isnull=True, status="new")
    ]
    rows += [
        Message(pending_booking=pending, kind="pending_booking", send_after=now, next_attempt_at=now)
        for pending in PendingBooking.objects.filter(
            emailed_at__isnull=True, appointment__isnull=True, start__gt=now
        )
    ]
    Message.objects.bulk_create(rows)
    if schema_editor.connection.vendor == "postgresql":
        # Check the new rows' foreign keys now: PostgreSQL will not build this migration's
        # indexes on booking_message while checks deferred to the commit are pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0014_pending_booking"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="message", name="message_is_about_something"),
        migrations.AddField(
            model_name="message",
            name="consultation_request",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="messages",
                to="booking.consultationrequest",
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="pending_booking",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="messages",
                to="booking.pendingbooking",
            ),
        ),
        migrations.AlterField(
            model_name="message",
            name="kind",
            field=models.CharField(
                choices=[
                    ("confirmation", "Confirmation"),
                    ("reminder", "Reminder"),
                    ("rescheduled", "New time"),
                    ("cancellation", "Cancellation"),
                    ("new_link", "New manage link"),
                    ("waitlist_offer", "Waitlist offer"),
                    ("checkin", "Check-in invitation"),
                    ("risk_alert", "Risk alert to staff"),
                    ("alert_escalation", "Unacknowledged risk alert, to the owners"),
                    ("request_notice", "New request notice, to the front desk"),
                    ("pending_booking", "Answer to a session asked for on the web"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("appointment__isnull", False),
                    ("waitlist_offer__isnull", False),
                    models.Q(("alert__isnull", False), ("recipient__isnull", False)),
                    ("consultation_request__isnull", False),
                    ("pending_booking__isnull", False),
                    _connector="OR",
                ),
                name="message_is_about_something",
            ),
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RemoveField(model_name="consultationrequest", name="notified_at"),
        migrations.RemoveField(model_name="pendingbooking", name="emailed_at"),
    ]

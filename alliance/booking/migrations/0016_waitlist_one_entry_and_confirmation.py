"""One waiting entry per address and therapist, and the e-mail that confirms joining.

Before the constraint, an address may be waiting twice with one therapist: the earliest entry
keeps its place and the later ones are withdrawn, so no one loses their turn.
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


def withdraw_duplicates(apps, schema_editor):  # type: ignore[no-untyped-def]
    WaitlistEntry = apps.get_model("booking", "WaitlistEntry")
    seen = set()
    later = []
    for entry in WaitlistEntry.objects.filter(status="waiting").order_by("created_at", "pk"):
        key = (entry.therapist_id, entry.email.lower())
        if key in seen:
            later.append(entry.pk)
        seen.add(key)
    WaitlistEntry.objects.filter(pk__in=later).update(status="withdrawn")
    if schema_editor.connection.vendor == "postgresql":
        # As in 0015: nothing deferred may be pending when the next index is built.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0015_notices_in_the_outbox'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='message',
            name='message_is_about_something',
        ),
        migrations.AddField(
            model_name='message',
            name='waitlist_entry',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='booking.waitlistentry'),
        ),
        migrations.AlterField(
            model_name='message',
            name='kind',
            field=models.CharField(choices=[('confirmation', 'Confirmation'), ('reminder', 'Reminder'), ('rescheduled', 'New time'), ('cancellation', 'Cancellation'), ('new_link', 'New manage link'), ('waitlist_offer', 'Waitlist offer'), ('checkin', 'Check-in invitation'), ('risk_alert', 'Risk alert to staff'), ('alert_escalation', 'Unacknowledged risk alert, to the owners'), ('request_notice', 'New request notice, to the front desk'), ('pending_booking', 'Answer to a session asked for on the web'), ('waitlist_joined', 'Waitlist confirmation, with a link to leave')], max_length=16),
        ),
        migrations.AddConstraint(
            model_name='message',
            constraint=models.CheckConstraint(condition=models.Q(('appointment__isnull', False), ('waitlist_offer__isnull', False), models.Q(('alert__isnull', False), ('recipient__isnull', False)), ('consultation_request__isnull', False), ('pending_booking__isnull', False), ('waitlist_entry__isnull', False), _connector='OR'), name='message_is_about_something'),
        ),
        migrations.RunPython(withdraw_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='waitlistentry',
            constraint=models.UniqueConstraint(models.F('therapist'), django.db.models.functions.text.Lower('email'), condition=models.Q(('status', 'waiting')), name='waitlist_one_waiting_entry_per_address'),
        ),
    ]

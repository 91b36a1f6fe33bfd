"""The outbox: e-mails written as rows in the transaction of the change they announce, claimed
and sent by a worker, at least once, with a stable Message-ID.

It knows no other app's models. An app that sends mail subclasses Message with the links to
what its messages are about (booking.BookingMessage, care.AlertMessage), names its kinds
(message_kinds_register) and registers how each kind is written when sent
(message_renderer_register) in its AppConfig.ready().
"""

"""How each kind of message becomes an e-mail: registered by the app that owns the kind, so the
outbox need not know its models."""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.core.mail import EmailMultiAlternatives
from django.db.models import Q

from alliance.outbox.models import Message

# Makes a message's e-mail when it is sent, or None when it is no longer wanted (→ cancelled).
Renderer = Callable[[Message, datetime], EmailMultiAlternatives | None]
# Runs in the transaction that records a message as sent.
SentHook = Callable[[Message], None]
# Which messages of a kind are not to be claimed yet at this time (they wait; not cancelled).
Hold = Callable[[datetime], Q]

_renderers: dict[str, Renderer] = {}
_sent_hooks: dict[str, SentHook] = {}
_holds: dict[str, Hold] = {}


def message_renderer_register(
    kinds: Iterable[str], renderer: Renderer, *, sent: SentHook | None = None
) -> None:
    """Let an app write the e-mails of its own kinds of message. `sent` tidies up once one is
    sent, e.g. forgets an address that was kept only for it."""
    for kind in kinds:
        _renderers[kind] = renderer
        if sent is not None:
            _sent_hooks[kind] = sent


def message_hold_register(kinds: Iterable[str], held: Hold) -> None:
    """Keep back the messages of these kinds that `held` matches, however they came to be due
    (e.g. a check-in link until its session ends)."""
    for kind in kinds:
        _holds[kind] = held


def message_render(message: Message, now: datetime) -> EmailMultiAlternatives | None:
    renderer = _renderers.get(message.kind)
    if renderer is None:
        raise LookupError(f"no e-mail renderer registered for {message.kind!r} messages")
    return renderer(message, now)


def message_sent(message: Message) -> None:
    hook = _sent_hooks.get(message.kind)
    if hook is not None:
        hook(message)


def messages_held(now: datetime) -> Q:
    """The messages no worker may claim yet (an empty Q, which excludes none, when none is)."""
    held = Q()
    for kind, hold in _holds.items():
        held |= Q(kind=kind) & hold(now)
    return held

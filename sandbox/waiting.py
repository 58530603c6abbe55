"""What a leg hears while it waits: wait music, or a ``waitUrl``/``<Queue url>`` document.

Only ``Say``, ``Play`` and ``Pause`` are rendered (Twilio's rule for these documents),
taking their time on the clock; ``<Leave>`` is honoured in a queue's wait document once
the prompts before it have played. Twilio would loop the document for as long as the
wait lasts; the sandbox plays it once. Being connected stops it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sandbox import twiml, verbs
from sandbox.callbacks import call_params
from sandbox.exchange import Exchange
from sandbox.phones import Call, Heard
from sandbox.playback import Player
from sandbox.program import resolve
from sandbox.speech import segments
from sandbox.twiml import TwimlError
from sandbox.verbs import DEFAULT_WAIT_MUSIC


def hold(
    sb: Exchange,
    call: Call,
    doc_url: str | None,
    url: str,
    method: str,
    extra: Iterable[tuple[str, str]] = (),
    *,
    on_leave: Callable[[], None] | None = None,
    then: Callable[[], None] | None = None,
) -> None:
    """Play the wait document at ``url`` to ``call``; ``then`` runs once it has played.

    ``then`` and ``on_leave`` run only while the leg is still waiting, unconnected.
    """
    if url == "":
        sb.hear(call, Heard.MUSIC, "Silence while waiting")
    elif url == DEFAULT_WAIT_MUSIC:
        sb.hear(call, Heard.MUSIC, "Hold music")
    else:
        try:
            resolved = resolve(doc_url, url)
        except TwimlError as exc:
            sb.notice(exc.code, exc.message, call)
        else:
            _fetch(sb, call, resolved, method, list(extra), on_leave, then)
            return
    if then is not None:
        then()


def _fetch(
    sb: Exchange,
    call: Call,
    url: str,
    method: str,
    extra: list[tuple[str, str]],
    on_leave: Callable[[], None] | None,
    then: Callable[[], None] | None,
) -> None:
    epoch = call.epoch
    activity = call.program.activity if call.program else None

    def still_waiting() -> bool:
        current = call.program.activity if call.program else None
        return (
            not call.ended
            and call.epoch == epoch
            and current is activity
            and call.connected_to is None
        )

    def finish(leave: bool) -> None:
        if not still_waiting():
            return
        if leave and on_leave is not None:
            on_leave()
        elif then is not None:
            then()

    def request() -> None:
        with sb.lock:
            if not still_waiting():
                return
            params = call_params(call) + extra
        delivery = sb.webhooks.send(url, params, method)
        with sb.lock:
            if not still_waiting():
                return
            if not delivery.ok:
                sb.notice("11200", f"HTTP retrieval failure: {url}", call)
                finish(leave=False)
            else:
                _play(sb, call, delivery.body, on_leave is not None, finish)

    sb.runner.submit(request)


def _play(
    sb: Exchange, call: Call, text: str, can_leave: bool, finish: Callable[[bool], None]
) -> None:
    try:
        document = twiml.parse_voice(text)
    except TwimlError as exc:
        sb.notice(exc.code, exc.message, call)
        finish(False)
        return
    prompts: list[verbs.Prompt] = []
    leave = False
    for verb in document:
        if isinstance(verb, verbs.Say | verbs.Play | verbs.Pause):
            prompts.append(verb)
        elif isinstance(verb, verbs.Leave) and can_leave:
            leave = True
            break
        elif not isinstance(verb, verbs.Redirect):
            name = type(verb).__name__
            sb.notice("13238", f"<{name}> is not allowed in a wait document", call)
    player = Player(sb, call, segments(prompts, set()), lambda: finish(leave))
    if player.start():
        finish(leave)

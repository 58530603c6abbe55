"""``/request``: the public request form (no sign-in, no JavaScript needed, English and
Spanish). The edge only reads the form and the cookie, asks the guard and the web intake
(``usecases.web_form``, ``usecases.web_intake``) and renders what they decide."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from console.auth import client_address
from console.services import ConsoleServices
from console.views import environment, form_text
from ivr.catalogue import web
from ivr.model import Language, State
from ivr.numbers import display
from usecases.web_form import FormRefusal
from usecases.web_intake import CONSENTS, QUESTIONS, WebAnswers, WebOutcome, options

logger = logging.getLogger(__name__)
MAX_BODY = 16 * 1024
FIELDS = {state: state.value for state in (*QUESTIONS, *CONSENTS)}  # the form's field names


def route(console: ConsoleServices) -> Route:
    """``GET``/``POST /request``, over ``console``'s use cases and the console's templates."""
    views = environment()

    async def request_form(request: Request) -> Response:
        request.state.console, request.state.views = console, views
        return await _request_form(request)

    return Route("/request", request_form, methods=["GET", "POST"], name="request_form")


def services(request: Request) -> ConsoleServices:
    found: ConsoleServices = request.state.console
    return found


async def _request_form(request: Request) -> Response:
    if request.method == "POST" and _too_large(request):
        return Response("Request body too large", status_code=413, media_type="text/plain")
    form = await request.form() if request.method == "POST" else None
    language = _language(request, form)
    if form is None:
        return _form_page(request, language)
    use = services(request).web_requests
    config = services(request).config
    token, nonce = form_text(form, "form_token"), request.cookies.get(config.form_cookie, "")
    refusal = use.guard.check(
        token, nonce, form_text(form, "website"), client_address(request), time.time()
    )
    if refusal is FormRefusal.HONEYPOT:  # a bot: the usual thanks, and nothing kept
        logger.info("web form: honeypot filled; nothing kept")
        return _page(request, "request_done.html", language, outcome=WebOutcome({}))
    if refusal is FormRefusal.LIMITED:
        return _page(request, "request_limited.html", language, status=429)
    if refusal is not None:
        logger.info("web form refused: %s", refusal)
        return _form_page(request, language, form, notice=refusal.value)
    answers = WebAnswers(
        language,
        {state: form_text(form, name) for state, name in FIELDS.items() if form_text(form, name)},
        form_text(form, "organization"),
        form_text(form, "phone"),
    )
    outcome = await run_in_threadpool(use.intake.submit, answers, nonce)
    if outcome.problems:
        return _form_page(request, language, form, problems=outcome.problems)
    return _page(request, "request_done.html", language, outcome=outcome)


def _too_large(request: Request) -> bool:
    """The form is a few hundred bytes; anything past MAX_BODY (or unsized) is refused."""
    try:
        return not 0 < int(request.headers.get("content-length", "")) <= MAX_BODY
    except ValueError:
        return True


def _language(request: Request, form: FormData | None) -> Language:
    chosen = form_text(form, "lang") if form is not None else request.query_params.get("lang", "")
    return Language.ES if chosen == Language.ES else Language.EN


def _form_page(
    request: Request,
    language: Language,
    form: FormData | None = None,
    problems: dict[str, str] | None = None,
    notice: str = "",
) -> Response:
    use, config = services(request).web_requests, services(request).config
    values: dict[str, str] = {}
    if form is not None:
        names = [*FIELDS.values(), "organization", "phone"]
        values = {name: form_text(form, name) for name in names}
    issued = use.guard.issue(time.time())
    # The form's own token stays good after a slip (too quick, a problem to fix); an
    # expired or foreign one is replaced, with a new cookie.
    keep = form is not None and notice != FormRefusal.EXPIRED
    token = form_text(form, "form_token") if form is not None and keep else ""
    nonce = request.cookies.get(config.form_cookie, "") if token else issued.nonce
    response = _page(
        request,
        "request_form.html",
        language,
        questions=[
            (state, FIELDS[state], options(state))
            for state in (*QUESTIONS, *CONSENTS)
            if state is not State.OTHER_LANGUAGE or language is not Language.EN
        ],
        required=[FIELDS[s] for s in QUESTIONS if s is not State.CALLBACK_WINDOW],
        values=values,
        problems=problems or {},
        notice=notice,
        token=token or issued.token,
    )
    response.set_cookie(
        config.form_cookie,
        nonce,
        path="/",  # a __Host- cookie must have Path=/
        secure=config.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return response


def _page(
    request: Request, template: str, language: Language, status: int = 200, **context: Any
) -> HTMLResponse:
    env = request.state.views
    hotline = services(request).web_requests.hotline
    html = env.get_template(template).render(
        t=web(language),
        lang=language.value,
        other=Language.EN if language is Language.ES else Language.ES,
        hotline=hotline,
        hotline_display=display(hotline),
        State=State,
        **context,
    )
    return HTMLResponse(html, status_code=status)

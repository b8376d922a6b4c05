"""The jobcenter desk: a server-rendered web app (Starlette + Jinja2 + htmx).

Every page is a route with an *action* (``handlers.desk.PERMISSIONS``): without a live
session it redirects (303) to ``/login``; with a role that may not do the action it is
403; every POST carries the session's CSRF token in ``csrf_token`` (else 403). Changes
go through the same use cases as the command line (``assistant.decisions``,
``assistant.intakes``), so the desk is one more adapter, not a second product.

Headers on every response: a strict Content-Security-Policy (scripts and styles only
from the desk itself, no inline script or style), no framing, no sniffing, no referrer.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant import staff
from assistant.config import Config
from assistant.db import session
from assistant.decisions import ClaimDecisions, DecisionError, audit, problems_of
from assistant.followup import run_followup
from assistant.intakes import IntakeStore
from assistant.register_changes import RegisterChanges
from assistant.store import Store
from assistant.web import views
from assistant.web.payslip_view import PayslipPages
from handlers import desk_texts
from handlers.decisions import CORRECTABLE
from handlers.desk import allowed
from handlers.job import proposed_first_day
from handlers.job_texts import job_description_text
from handlers.onboarding import onboarding_plan
from handlers.problems import Problem
from handlers.register import RegisterError, check_start
from handlers.summary import CHECK_NAMES, COMPONENT_NAMES, day, kr
from handlers.texts import MISSING_HEAD, Language, field_name, problem_text
from parsers.identifiers import mask_cpr, mask_cprs
from parsers.labels import COMPONENTS

HERE = Path(__file__).parent
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_COOKIE = "desk_session"
LOGIN_COOKIE = "desk_login_csrf"
LANG_COOKIE = "desk_lang"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


@dataclass
class Desk:
    engine: Engine
    config: Config
    today: Callable[[], date]
    decisions: ClaimDecisions
    intakes: IntakeStore
    pages: PayslipPages
    jinja: Environment
    register: RegisterChanges


@dataclass(frozen=True)
class Ctx:
    """Who is asking, in which language, with which CSRF token."""

    member: staff.Member
    csrf: str
    lang: Language
    request: Request
    form: FormData | None

    def field(self, name: str) -> str:
        return str(self.form.get(name, "")) if self.form is not None else ""


class SecurityHeaders:
    """Adds the security headers to every response (pages, files, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(engine: Engine, config: Config,
               today: Callable[[], date] = date.today) -> Starlette:
    jinja = Environment(loader=FileSystemLoader(HERE / "templates"),
                        autoescape=select_autoescape(default=True), auto_reload=False)
    desk = Desk(engine, config, today, ClaimDecisions(engine, config, today),
                IntakeStore(engine, config.scheme()), PayslipPages(config.web.cache_directory),
                jinja, RegisterChanges(Store(engine, config.scheme()), today))
    routes = [
        Route("/healthz", healthz),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", page("view", logout), methods=["POST"]),
        Route("/", page("view", today_page)),
        Route("/claims", page("view", claims_page)),
        Route("/claims/{reference}", page("view", claim_page)),
        Route("/claims/{reference}/page/{number:int}.png", page("view", claim_image)),
        Route("/claims/{reference}/approve", page("decide", approve), methods=["POST"]),
        Route("/claims/{reference}/reject", page("decide", reject), methods=["POST"]),
        Route("/claims/{reference}/correct", page("decide", correct), methods=["POST"]),
        Route("/claims/{reference}/paid", page("pay", paid), methods=["POST"]),
        Route("/claims/{reference}/reveal-cpr", page("reveal_cpr", reveal_cpr),
              methods=["POST"]),
        Route("/pool", page("view", pool_page)),
        Route("/pool/employments", page("register", add_employment), methods=["POST"]),
        Route("/pool/employments/{employment_id:int}/end", page("register", end_employment),
              methods=["POST"]),
        Route("/pool/employments/{employment_id:int}/extend",
              page("register", extend_employment), methods=["POST"]),
        Route("/intakes", page("intakes", intakes_page)),
        Route("/intakes/{intake_id:int}/approve", page("intakes", approve_intake),
              methods=["POST"]),
        Route("/intakes/{intake_id:int}/ask", page("intakes", ask_intake), methods=["POST"]),
        Route("/intakes/{intake_id:int}/decline", page("intakes", decline_intake),
              methods=["POST"]),
        Route("/workplaces", page("view", workplaces_page)),
        Route("/workplaces/{cvr}/senders", page("senders", add_sender), methods=["POST"]),
        Route("/workplaces/{cvr}/senders/remove", page("senders", remove_sender),
              methods=["POST"]),
        Route("/export", page("export", export_page)),
        Route("/export/{month}.csv", page("export", export_download)),
        Route("/export/{month}.xlsx", page("export", export_xlsx)),
        Route("/audit", page("audit", audit_page_route)),
        Route("/followup", page("view", followup_page)),
        Route("/followup/run", page("followup", run_followup_now), methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.desk = desk
    app.add_middleware(SecurityHeaders)
    return app


# -- the route wrapper: session, role, CSRF -----------------------------------------------

Handler = Callable[[Desk, Ctx], Response]


def page(action: str, handler: Handler) -> Callable[[Request], Any]:
    """An endpoint that needs a session whose role may do ``action``."""

    async def endpoint(request: Request) -> Response:
        desk: Desk = request.app.state.desk
        form = await request.form() if request.method == "POST" else None
        found = await run_in_threadpool(staff.current, desk.engine,
                                        request.cookies.get(SESSION_COOKIE))
        if found is None:
            return RedirectResponse("/login", status_code=303)
        member, csrf = found
        ctx = Ctx(member, csrf, _language(request, member.language), request, form)
        if not allowed(member.role, action):
            return _error(desk, ctx, 403, "forbidden")
        if form is not None:
            token = str(form.get("csrf_token", ""))
            if not token or not secrets.compare_digest(token.encode(), csrf.encode()):
                return _error(desk, ctx, 403, "csrf")
        response = await run_in_threadpool(handler, desk, ctx)
        wanted = request.query_params.get("lang")
        if wanted in ("da", "en"):
            response.set_cookie(LANG_COOKIE, wanted, max_age=365 * 86400, httponly=True,
                                samesite="lax", secure=desk.config.web.secure_cookies)
        return response

    return endpoint


def _language(request: Request, default: str) -> Language:
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                      default):
        if candidate in ("da", "en"):
            return candidate  # type: ignore[return-value]
    return "da"


def render(desk: Desk, ctx: Ctx | None, name: str, status: int = 200,
           lang: Language = "da", **values: Any) -> HTMLResponse:
    lang = ctx.lang if ctx else lang

    def t(key: str, **kw: Any) -> str:
        return desk_texts.text(key, lang, **kw)

    page_html = desk.jinja.get_template(name).render(
        t=t, lang=lang, ctx=ctx, kr=lambda v: kr(v, lang), day=lambda v: day(v, lang),
        status_text=lambda s: desk_texts.text(s, lang, desk_texts.STATUS),
        role_text=lambda r: desk_texts.text(r, lang, desk_texts.ROLES),
        can=lambda action: ctx is not None and allowed(ctx.member.role, action),
        path=ctx.request.url.path if ctx else "/login", **values)
    response = HTMLResponse(page_html, status_code=status)
    response.headers["cache-control"] = "no-store"
    return response


def _error(desk: Desk, ctx: Ctx, status: int, key: str) -> HTMLResponse:
    return render(desk, ctx, "error.html", status, message=desk_texts.text(key, ctx.lang))


def _back(url: str, **query: str) -> RedirectResponse:
    return RedirectResponse(f"{url}?{urlencode(query)}" if query else url, status_code=303)


# -- health, login, logout ----------------------------------------------------------------


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def login_page(request: Request) -> Response:
    desk: Desk = request.app.state.desk
    found = await run_in_threadpool(staff.current, desk.engine,
                                    request.cookies.get(SESSION_COOKIE))
    if found is not None:
        return RedirectResponse("/", status_code=303)
    return _login_form(desk, request, None, 200)


def _login_form(desk: Desk, request: Request, error: str | None, status: int) -> Response:
    token = secrets.token_urlsafe(32)
    lang = _language(request, "da")
    response = render(desk, None, "login.html", status, lang=lang, csrf_token=token,
                      error=error, email=None)
    # Double-submit token: the login form has no session yet to hold its CSRF token.
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                        secure=desk.config.web.secure_cookies, path="/login")
    return response


async def login_submit(request: Request) -> Response:
    desk: Desk = request.app.state.desk
    form = await request.form()
    token, cookie = str(form.get("csrf_token", "")), request.cookies.get(LOGIN_COOKIE, "")
    lang = _language(request, "da")
    if not token or not cookie or not secrets.compare_digest(token.encode(), cookie.encode()):
        return render(desk, None, "error.html", 403, lang=lang,
                      message=desk_texts.text("csrf", lang))
    web = desk.config.web
    client = request.client.host if request.client else "?"
    try:
        logged_in = await run_in_threadpool(
            lambda: staff.login(desk.engine, str(form.get("email", "")),
                                str(form.get("password", "")), client,
                                hours=web.session_hours, max_failed=web.max_failed_logins,
                                window_minutes=web.throttle_minutes,
                                replaces=request.cookies.get(SESSION_COOKIE)))
    except staff.Throttled:
        return _login_form(desk, request, desk_texts.text(
            "login_throttled", lang, minutes=web.throttle_minutes), 429)
    except staff.StaffError:
        return _login_form(desk, request, desk_texts.text("login_failed", lang), 401)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(SESSION_COOKIE, logged_in.token, max_age=web.session_hours * 3600,
                        httponly=True, samesite="lax", secure=web.secure_cookies)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


def logout(desk: Desk, ctx: Ctx) -> Response:
    staff.logout(desk.engine, ctx.request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# -- pages --------------------------------------------------------------------------------


def today_page(desk: Desk, ctx: Ctx) -> Response:
    with session(desk.engine) as db:
        view = views.today_view(db, desk.today(),
                                max_sick_days=desk.config.scheme().max_sick_days)
    held = [(c, _problem_lines(c, ctx.lang)) for c in view.held]
    return render(desk, ctx, "today.html", view=view, held=held, masked=views.masked)


def claims_page(desk: Desk, ctx: Ctx) -> Response:
    q = ctx.request.query_params
    status = q.get("status") if q.get("status") in views.STATUSES else None
    workplace = int(q["workplace"]) if q.get("workplace", "").isdigit() else None
    page_no = int(q["page"]) if q.get("page", "").isdigit() else 1
    with session(desk.engine) as db:
        listing = views.claim_list(db, month=q.get("month"), status=status,
                                   workplace_id=workplace, page=page_no,
                                   size=desk.config.web.page_size)
    filters = {"month": q.get("month", ""), "status": status or "",
               "workplace": str(workplace or "")}

    def page_link(n: int) -> str:
        return "/claims?" + urlencode({**{k: v for k, v in filters.items() if v}, "page": n})

    return render(desk, ctx, "claims.html", listing=listing, filters=filters,
                  statuses=views.STATUSES, page_link=page_link, masked=views.masked)


def claim_page(desk: Desk, ctx: Ctx, error: str | None = None,
               status: int = 200) -> Response:
    reference = ctx.request.path_params["reference"]
    with session(desk.engine) as db:
        found = views.claim_page(db, reference, desk.config.inbox.max_message_bytes)
    if found is None:
        return _error(desk, ctx, 404, "not_found")
    layout = desk.pages.layout(found.pdf) if found.pdf else None
    claim = found.claim
    lang = ctx.lang
    fields = [
        ("employee_name", claim.employee_name or "-"),
        ("cpr", views.masked(claim.cpr)),
        ("employer_name", claim.employer_name or "-"),
        ("cvr", claim.cvr or "-"),
        ("period", f"{day(claim.period_start, lang)} - {day(claim.period_end, lang)}"),
        ("hours", kr(claim.hours, lang) if claim.hours is not None else "-"),
        ("sick_hours", kr(claim.sick_hours, lang) if claim.sick_hours is not None else "-"),
    ]
    components = [(COMPONENT_NAMES[k][lang], getattr(claim, k), k in claim.claimed)
                  for k in COMPONENTS]
    checks = [_check_line(c, lang) for c in (layout.checks if layout else ())]
    boxes_by_page: dict[int, list[Any]] = {}
    for box in layout.boxes if layout else ():
        boxes_by_page.setdefault(box.page, []).append(box)
    done = ctx.request.query_params.get("done")
    return render(
        desk, ctx, "claim.html", status, page=found, claim=claim, fields=fields,
        components=components, checks=checks, layout=layout, boxes=boxes_by_page,
        problems=_problem_lines(claim, lang), error=error,
        done=desk_texts.text(f"done_{done}", lang) if done in (
            "approve", "reject", "correct", "mark_paid") else None,
        actions={k: desk_texts.text(k, lang, desk_texts.AUDIT_ACTIONS)
                 for k in desk_texts.AUDIT_ACTIONS},
        correctable=CORRECTABLE, field_label=lambda f: _field_label(f, lang),
        box_label=lambda b: _box_label(b, lang), masked=views.masked,
        reference=quote(claim.reference or ""))


def _field_label(name: str, lang: Language) -> str:
    if name in COMPONENT_NAMES:
        return COMPONENT_NAMES[name][lang]
    return desk_texts.text(name, lang, desk_texts.FIELDS)


def _box_label(box: Any, lang: Language) -> str:
    return f"{_field_label(box.label, lang)}: {box.text}"


def _check_line(check: dict[str, Any], lang: Language) -> tuple[str, str, str]:
    name = CHECK_NAMES.get(check["check"], {}).get(lang, check["check"])
    state = {True: "check_ok", False: "check_failed", None: "check_na"}[check["ok"]]
    detail = ""
    if check["ok"] is False:
        detail = problem_text(Problem("amount", f"check_{check['check']}", check["detail"],
                                      "review", values=check.get("values") or {}), lang)
    return name, state, detail


def _problem_lines(claim: Any, lang: Language) -> list[str]:
    lines = []
    for problem in problems_of(claim):
        text = problem_text(problem, lang)
        title = desk_texts.PROBLEM_TITLES.get(problem.code, {}).get(lang)
        if title and text == problem.message:  # no translated text: title + the detail
            text = f"{title}: {problem.message}"
        lines.append(mask_cprs(text))
    if claim.missing:
        head = MISSING_HEAD[lang]
        lines += [f"{head} {field_name(m, lang)}" for m in claim.missing]
    return lines


def claim_image(desk: Desk, ctx: Ctx) -> Response:
    reference = ctx.request.path_params["reference"]
    with session(desk.engine) as db:
        found = views.claim_page(db, reference, desk.config.inbox.max_message_bytes)
    png = desk.pages.page_png(found.pdf, ctx.request.path_params["number"]) \
        if found and found.pdf else None
    if png is None:
        return PlainTextResponse("no such page", status_code=404)
    return Response(png, media_type="image/png",
                    headers={"cache-control": "private, max-age=86400"})


def _decide(desk: Desk, ctx: Ctx, action: str, run: Callable[[str], Any]) -> Response:
    reference = ctx.request.path_params["reference"]
    try:
        run(reference)
    except DecisionError as exc:
        return claim_page(desk, ctx, error=mask_cprs(str(exc)), status=409)
    return _back(f"/claims/{quote(reference.upper())}", done=action)


def approve(desk: Desk, ctx: Ctx) -> Response:
    return _decide(desk, ctx, "approve", lambda ref: desk.decisions.approve(
        ref, ctx.member.email, ctx.field("note")))


def reject(desk: Desk, ctx: Ctx) -> Response:
    return _decide(desk, ctx, "reject", lambda ref: desk.decisions.reject(
        ref, ctx.field("reason"), ctx.member.email))


def correct(desk: Desk, ctx: Ctx) -> Response:
    return _decide(desk, ctx, "correct", lambda ref: desk.decisions.correct(
        ref, ctx.field("field"), ctx.field("value"), ctx.member.email))


def paid(desk: Desk, ctx: Ctx) -> Response:
    return _decide(desk, ctx, "mark_paid", lambda ref: desk.decisions.mark_paid(
        ref, ctx.member.email))


def reveal_cpr(desk: Desk, ctx: Ctx) -> Response:
    """The one response that holds a full CPR number: asked for, by the economy group,
    and written to the audit log."""
    try:
        cpr = desk.decisions.reveal_cpr(ctx.request.path_params["reference"],
                                        ctx.member.email, ctx.field("why"))
    except DecisionError as exc:
        return HTMLResponse(f"<span>{html.escape(mask_cprs(str(exc)))}</span>",
                            status_code=404)
    response = HTMLResponse(f'<span class="cpr-full">{cpr}</span>')
    response.headers["cache-control"] = "no-store"
    return response


POOL_DONE = ("approve_intake", "add_employment", "end_employment", "extend_employment")
INTAKE_DONE = ("ask_intake", "decline_intake")
WORKPLACE_DONE = ("add_sender", "remove_sender")


def _done(ctx: Ctx, known: tuple[str, ...]) -> str | None:
    done = ctx.request.query_params.get("done")
    return desk_texts.text(f"done_{done}", ctx.lang) if done in known else None


def _refusal(exc: RegisterError, lang: Language) -> str:
    """A refused register change in the desk's language, CPR numbers masked."""
    reasons = [desk_texts.register_reason(r, lang) for r in exc.reasons or [str(exc)]]
    return mask_cprs((" " if lang == "da" else "; ").join(reasons))


def _form_date(ctx: Ctx, name: str) -> date:
    """A date from a form field (2027-01-04 from a date input, or 04.01.2027 typed)."""
    text = ctx.field(name).strip()
    try:
        if "." in text:
            d, m, y = text.split(".")
            return date(int(y), int(m), int(d))
        return date.fromisoformat(text)
    except ValueError:
        raise RegisterError([desk_texts.text("bad_date", ctx.lang, value=text)]) from None


def _form_hours(ctx: Ctx, name: str) -> Decimal:
    text = ctx.field(name).strip()
    try:
        hours = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise RegisterError([desk_texts.text("bad_hours", ctx.lang, value=text)]) from None
    if not hours.is_finite():
        raise RegisterError([desk_texts.text("bad_hours", ctx.lang, value=text)])
    return hours


def pool_page(desk: Desk, ctx: Ctx, error: str | None = None, status: int = 200,
              refill: bool = False) -> Response:
    pool_hours = Decimal(desk.config.jobcenter.pool_hours_per_week)
    today = desk.today()
    with session(desk.engine) as db:
        view = views.pool_view(db, today, pool_hours)
        workplaces = views.workplace_choices(db)
    chart = views.pool_chart(view.weeks, pool_hours, ctx.lang)
    return render(desk, ctx, "pool.html", status, view=view, chart=chart,
                  pool_hours=pool_hours, masked=views.masked, workplaces=workplaces,
                  error=error, done=_done(ctx, POOL_DONE), today=today.isoformat(),
                  form=ctx.form if refill else None)


def _register(desk: Desk, ctx: Ctx, done: str, change: Callable[[], Any],
              employment_id: int | None = None) -> Response:
    """Run a register change; refused: the pool page again with the reasons (409), said
    of the employment it was about, and the add form refilled when it was that one."""
    try:
        change()
    except RegisterError as exc:
        error = _refusal(exc, ctx.lang)
        about = desk.register.employment(employment_id) if employment_id else None
        if about is not None:
            error = f"{about.citizen_name} ({views.masked(about.cpr)}): {error}"
        return pool_page(desk, ctx, error=error, status=409, refill=employment_id is None)
    return _back("/pool", done=done)


def add_employment(desk: Desk, ctx: Ctx) -> Response:
    return _register(desk, ctx, "add_employment", lambda: desk.register.add_employment(
        ctx.member.email, ctx.field("cpr"), ctx.field("name"), ctx.field("cvr"),
        _form_hours(ctx, "hours"), _form_date(ctx, "start"), _form_date(ctx, "end"),
        ctx.field("reason"), past_start=ctx.field("past_start") == "yes"))


def end_employment(desk: Desk, ctx: Ctx) -> Response:
    employment_id = ctx.request.path_params["employment_id"]
    return _register(desk, ctx, "end_employment", lambda: desk.register.end_employment(
        ctx.member.email, employment_id, _form_date(ctx, "on"), ctx.field("reason").strip()),
        employment_id)


def extend_employment(desk: Desk, ctx: Ctx) -> Response:
    employment_id = ctx.request.path_params["employment_id"]
    return _register(desk, ctx, "extend_employment", lambda: desk.register.extend_employment(
        ctx.member.email, employment_id, _form_date(ctx, "end"), ctx.field("reason")),
        employment_id)


def intakes_page(desk: Desk, ctx: Ctx, error: str | None = None, status: int = 200) -> Response:
    with session(desk.engine) as db:
        rows = views.submitted_intakes(db)
    lang = ctx.lang
    today = desk.today()
    shown = [(i, job, workplace, job_description_text(job, lang) if job else "",
              onboarding_plan(job, lang) if job else "",
              proposed_first_day(job, today).isoformat()) for i, job, workplace in rows]
    return render(desk, ctx, "intakes.html", status, intakes=shown, error=error,
                  done=_done(ctx, INTAKE_DONE))


def approve_intake(desk: Desk, ctx: Ctx) -> Response:
    intake_id = ctx.request.path_params["intake_id"]
    try:
        start = _form_date(ctx, "start")
        if late := check_start(start, desk.today()):  # as the CLI: never a start in the past
            raise RegisterError(late)
        employment = desk.intakes.approve(intake_id, ctx.field("cpr"), ctx.field("name"),
                                          start)
    except RegisterError as exc:
        return intakes_page(desk, ctx, error=_refusal(exc, ctx.lang), status=409)
    audit(desk.engine, ctx.member.email, "approve_intake", f"intake {intake_id}",
          details={"employment_id": employment.id, "cpr": mask_cpr(employment.cpr)})
    return _back("/pool", done="approve_intake")


def _intake_change(desk: Desk, ctx: Ctx, action: str, text_field: str,
                   change: Callable[[int, str, str], Any]) -> Response:
    """Ask about or decline an intake: the manager is told in the chat it came from."""
    intake_id = ctx.request.path_params["intake_id"]
    text = ctx.field(text_field).strip()
    try:
        change(intake_id, text, desk.config.jobcenter.consultants)
    except RegisterError as exc:
        return intakes_page(desk, ctx, error=_refusal(exc, ctx.lang), status=409)
    audit(desk.engine, ctx.member.email, action, f"intake {intake_id}", text)
    return _back("/intakes", done=action)


def ask_intake(desk: Desk, ctx: Ctx) -> Response:
    return _intake_change(desk, ctx, "ask_intake", "question", desk.intakes.ask)


def decline_intake(desk: Desk, ctx: Ctx) -> Response:
    return _intake_change(desk, ctx, "decline_intake", "reason", desk.intakes.decline)


def workplaces_page(desk: Desk, ctx: Ctx, error: str | None = None,
                    status: int = 200) -> Response:
    today = desk.today()
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    with session(desk.engine) as db:
        rows = views.workplaces_view(db, today, month)
    return render(desk, ctx, "workplaces.html", status, rows=rows, month=month,
                  error=error, done=_done(ctx, WORKPLACE_DONE))


def _sender_change(desk: Desk, ctx: Ctx, action: str,
                   change: Callable[[str, str, str], Any]) -> Response:
    try:
        change(ctx.member.email, ctx.request.path_params["cvr"], ctx.field("sender"))
    except RegisterError as exc:
        return workplaces_page(desk, ctx, error=_refusal(exc, ctx.lang), status=409)
    return _back("/workplaces", done=action)


def add_sender(desk: Desk, ctx: Ctx) -> Response:
    return _sender_change(desk, ctx, "add_sender", desk.register.add_sender)


def remove_sender(desk: Desk, ctx: Ctx) -> Response:
    return _sender_change(desk, ctx, "remove_sender", desk.register.remove_sender)


def export_page(desk: Desk, ctx: Ctx) -> Response:
    first = desk.today().replace(day=1)
    last_month = (first - timedelta(days=1)).strftime("%Y-%m")
    month = ctx.request.query_params.get("month") or last_month
    with session(desk.engine) as db:
        rows = views.export_rows(db, month, desk.config.web.page_size)
        count, total = views.export_totals(db, month)
    return render(desk, ctx, "export.html", month=month, rows=rows, total=total,
                  count=count, masked=views.masked)


def export_download(desk: Desk, ctx: Ctx) -> Response:
    month = ctx.request.path_params["month"]
    if views.month_span(month) is None:
        return _error(desk, ctx, 404, "not_found")
    with session(desk.engine) as db:
        data, count = views.export_csv(db, month)
    audit(desk.engine, ctx.member.email, "export", month, details={"claims": count})
    return Response(data, media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="refusion-{month}.csv"',
        "cache-control": "no-store"})


def export_xlsx(desk: Desk, ctx: Ctx) -> Response:
    month = ctx.request.path_params["month"]
    if views.month_span(month) is None:
        return _error(desk, ctx, 404, "not_found")
    with session(desk.engine) as db:
        data, count = views.export_xlsx(db, month)
    audit(desk.engine, ctx.member.email, "export", month,
          details={"claims": count, "format": "xlsx"})
    return Response(data, media_type=XLSX_TYPE, headers={
        "content-disposition": f'attachment; filename="refusion-{month}.xlsx"',
        "cache-control": "no-store"})


FOLLOWUP_SHOWN = 50  # the newest reminders listed on the follow-up page


def followup_page(desk: Desk, ctx: Ctx) -> Response:
    """The follow-up's rules (from ``[followup]``), what is due today (as ``assistant
    followup --dry-run`` shows it) and the reminders queued lately."""
    due = run_followup(desk.engine, desk.config, desk.today(), dry_run=True)
    with session(desk.engine) as db:
        sent = views.followup_sent(db, FOLLOWUP_SHOWN)
    ran = ctx.request.query_params.get("queued")
    return render(desk, ctx, "followup.html", rules=desk.config.followup,
                  reminder_kind=lambda k: desk_texts.text(k, ctx.lang, desk_texts.REMINDER_KINDS),
                  due=[(o.reminder.kind, o.recipient, mask_cprs(o.reminder.subject), o.queued)
                       for o in due],
                  sent=sent, ran=int(ran) if ran and ran.isdigit() else None)


def run_followup_now(desk: Desk, ctx: Ctx) -> Response:
    """What ``assistant followup`` does: queue each reminder due today, once."""
    outcomes = run_followup(desk.engine, desk.config, desk.today())
    queued = sum(o.queued for o in outcomes)
    audit(desk.engine, ctx.member.email, "followup_run", desk.today().isoformat(),
          details={"queued": queued})
    return _back("/followup", queued=str(queued))


def audit_page_route(desk: Desk, ctx: Ctx) -> Response:
    q = ctx.request.query_params
    page_no = int(q["page"]) if q.get("page", "").isdigit() else 1
    with session(desk.engine) as db:
        rows, pages = views.audit_page(db, page_no, 100)
    actions = {k: desk_texts.text(k, ctx.lang, desk_texts.AUDIT_ACTIONS)
               for k in desk_texts.AUDIT_ACTIONS}
    return render(desk, ctx, "audit.html", rows=rows, pages=pages, page_no=page_no,
                  actions=actions, subject=lambda s: desk_texts.audit_subject(s, ctx.lang))

"""The desk's routes with Starlette's test client on the real database (both backends):
sessions, roles, CSRF, throttling, no full CPR in any page, and the decisions made
through the web reaching the same use cases as the command line."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from click.testing import CliRunner
from PIL import Image, ImageStat
from sqlmodel import select
from starlette.testclient import TestClient

from assistant.cli import cli
from assistant.db import session
from assistant.models import (
    AuditEntry,
    ChatMessage,
    Claim,
    Employment,
    Intake,
    OutboundMessage,
)
from assistant.pipeline import Pipeline
from assistant.web.app import SESSION_COOKIE, create_app
from tests.fixtures.payslips import make_case
from tests.fixtures.scans import Scan, scan
from tests.integration.desk_data import (
    FULL_CPR,
    INTAKE_CVR,
    PASSWORD,
    STAFF,
    TODAY,
    desk_config,
    seed,
)
from tests.integration.test_pipeline import photo_mail


@pytest.fixture
def desk(db_url, tmp_path, store, reader):
    config = desk_config(db_url, tmp_path)
    seeded = seed(store, config, reader)
    app = create_app(store.engine, config, today=lambda: TODAY)
    return app, seeded, store


def client(app) -> TestClient:
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def log_in(app, role: str, password: str = PASSWORD) -> TestClient:
    c = client(app)
    form = c.get("/login")
    response = c.post("/login", data={"email": STAFF[role], "password": password,
                                      "csrf_token": csrf_of(form.text)})
    assert response.status_code == 303 and response.headers["location"] == "/", response.text
    return c


def post(c: TestClient, url: str, data: dict[str, str] | None = None, page: str = "/"):
    token = csrf_of(c.get(page).text)
    return c.post(url, data={**(data or {}), "csrf_token": token})


def claim(store, reference: str) -> Claim:
    with session(store.engine) as db:
        return db.exec(select(Claim).where(Claim.reference == reference)).one()


def routes(seeded) -> list[tuple[str, str, str]]:
    """(method, path, action) for every route of the desk."""
    held = seeded.held
    return [
        ("GET", "/", "view"), ("GET", "/claims", "view"),
        ("GET", "/claims?status=needs_review", "view"),
        ("GET", f"/claims/{held}", "view"), ("GET", f"/claims/{held}/page/0.png", "view"),
        ("GET", "/pool", "view"), ("GET", "/intakes", "intakes"),
        ("GET", "/export", "export"), ("GET", "/export/2026-10.csv", "export"),
        ("GET", "/export/2026-10.xlsx", "export"), ("GET", "/workplaces", "view"),
        ("GET", "/audit", "audit"), ("GET", "/followup", "view"),
        ("POST", "/followup/run", "followup"),
        ("POST", "/pool/employments", "register"),
        ("POST", f"/pool/employments/{seeded.ending_id}/extend", "register"),
        ("POST", f"/pool/employments/{seeded.ending_id}/end", "register"),
        ("POST", f"/workplaces/{INTAKE_CVR}/senders", "senders"),
        ("POST", f"/workplaces/{INTAKE_CVR}/senders/remove", "senders"),
        ("POST", f"/intakes/{seeded.intake_id}/ask", "intakes"),
        ("POST", f"/claims/{held}/correct", "decide"),
        ("POST", f"/claims/{held}/reject", "decide"),
        ("POST", f"/claims/{held}/approve", "decide"),
        ("POST", f"/claims/{seeded.validated}/paid", "pay"),
        ("POST", f"/claims/{held}/reveal-cpr", "reveal_cpr"),
        ("POST", f"/intakes/{seeded.intake_id}/approve", "intakes"),
        ("POST", f"/intakes/{seeded.intake_id}/decline", "intakes"),
        ("POST", "/logout", "view"),
    ]


def test_healthz_needs_no_session(desk):
    app, _seeded, _store = desk
    response = client(app).get("/healthz")
    assert (response.status_code, response.text) == (200, "ok")


def test_without_a_session_every_route_redirects_to_login(desk):
    app, seeded, _store = desk
    c = client(app)
    for method, path, _action in routes(seeded):
        response = c.request(method, path, data={"csrf_token": "x"} if method == "POST" else None)
        assert (response.status_code, response.headers.get("location")) == (303, "/login"), path
    form = c.get("/login").text
    for field in ('name="email"', 'name="password"', 'type="hidden" name="csrf_token"'):
        assert field in form


EXPECTED = {  # role -> actions it may do (handlers.desk.PERMISSIONS, written out)
    "consultant": {"view", "decide", "intakes", "register", "senders", "followup"},
    "economy": {"view", "decide", "pay", "reveal_cpr", "export", "audit"},
    "admin": {"view", "decide", "pay", "reveal_cpr", "export", "audit", "intakes", "register",
              "senders", "followup"},
}


@pytest.mark.parametrize("role", sorted(STAFF))
def test_every_route_with_every_role(desk, role):
    """Allowed: not 403 (the action may still be refused on its merits); forbidden: 403,
    and a forbidden POST changes nothing."""
    app, seeded, store = desk
    c = log_in(app, role)
    token = csrf_of(c.get("/").text)
    for method, path, action in routes(seeded):
        if path == "/logout":
            continue
        data = {"csrf_token": token, "reason": "Ikke et småjob.", "field": "hours",
                "value": "12", "cpr": "010190-1234", "name": "Mette", "start": "2027-01-04",
                "end": "2027-03-31", "hours": "3", "cvr": INTAKE_CVR, "on": "2026-11-30",
                "question": "Hvem er kontaktperson?", "sender": "hr@albertslund.dk"}
        response = c.request(method, path, data=data if method == "POST" else None)
        if action in EXPECTED[role]:
            assert response.status_code != 403, (role, path, response.text[:300])
            assert response.status_code < 500
        else:
            assert response.status_code == 403, (role, path)
    assert c.post("/logout", data={"csrf_token": token}).status_code == 303
    assert c.get("/").status_code == 303  # the session is gone


def test_csrf_missing_or_wrong_is_403_and_changes_nothing(desk):
    app, seeded, store = desk
    c = log_in(app, "consultant")
    url = f"/claims/{seeded.held}/approve"
    assert c.post(url, data={}).status_code == 403
    assert c.post(url, data={"csrf_token": "wrong"}).status_code == 403
    assert claim(store, seeded.held).status == "needs_review"
    # The login form too: its token must match the cookie it came with.
    fresh = client(app)
    fresh.get("/login")
    response = fresh.post("/login", data={"email": STAFF["admin"], "password": PASSWORD,
                                          "csrf_token": "forged"})
    assert response.status_code == 403 and SESSION_COOKIE not in response.cookies


def test_login_makes_a_new_session_id_and_revokes_the_one_before(desk):
    app, _seeded, _store = desk
    c = client(app)
    c.cookies.set(SESSION_COOKIE, "planted-by-an-attacker", domain="testserver.local")
    form = c.get("/login").text
    c.post("/login", data={"email": STAFF["consultant"], "password": PASSWORD,
                           "csrf_token": csrf_of(form)})
    first = c.cookies.get(SESSION_COOKIE)
    assert first and first != "planted-by-an-attacker"
    # Logging in again (the form is shown to a logged-in browser only after logout, so
    # post straight at it) gives a new id and the old one stops working.
    old = client(app)
    old.cookies.set(SESSION_COOKIE, first, domain="testserver.local")
    assert old.get("/").status_code == 200
    again = client(app)
    again.cookies.set(SESSION_COOKIE, first, domain="testserver.local")
    form = again.get("/login")  # a live session is sent on to /
    assert form.status_code == 303
    again.cookies.delete(SESSION_COOKIE)
    form_html = again.get("/login").text
    again.cookies.set(SESSION_COOKIE, first, domain="testserver.local")
    again.post("/login", data={"email": STAFF["consultant"], "password": PASSWORD,
                               "csrf_token": csrf_of(form_html)})
    second = again.cookies.get(SESSION_COOKIE)
    assert second and second != first
    assert old.get("/").status_code == 303


def test_cookies_are_secure_httponly_samesite(desk):
    app, _seeded, _store = desk
    c = client(app)
    form = c.get("/login")
    response = c.post("/login", data={"email": STAFF["admin"], "password": PASSWORD,
                                      "csrf_token": csrf_of(form.text)})
    cookie = [v for k, v in response.headers.multi_items() if k == "set-cookie"
              and v.startswith(SESSION_COOKIE)][0].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_login_is_throttled_after_failures(desk):
    app, _seeded, _store = desk
    c = client(app)
    for _ in range(3):  # [web] max_failed_logins = 3 in the test config
        form = c.get("/login").text
        response = c.post("/login", data={"email": STAFF["admin"], "password": "wrong one!!",
                                          "csrf_token": csrf_of(form)})
        assert response.status_code == 401 and "Forkert e-mail eller adgangskode" in response.text
    form = c.get("/login").text
    response = c.post("/login", data={"email": STAFF["admin"], "password": PASSWORD,
                                      "csrf_token": csrf_of(form)})
    assert response.status_code == 429 and "For mange forkerte forsøg" in response.text
    assert SESSION_COOKIE not in response.cookies


def test_no_page_shows_a_full_cpr_and_no_inline_script_or_style(desk):
    app, seeded, _store = desk
    for role in STAFF:
        c = log_in(app, role)
        for method, path, _action in routes(seeded):
            if method != "GET" or path.endswith((".png", ".csv", ".xlsx")):
                continue
            for lang in ("da", "en"):
                response = c.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
                if response.status_code == 403:
                    continue
                html = response.text
                assert not FULL_CPR.search(html), (role, path, FULL_CPR.search(html))
                assert "<script>" not in html and " style=" not in html
                # A page's title is a few words, never markup (a block left open once put
                # the whole of Today's lists in its <title>).
                assert re.search(r"<title>[^<]{1,80}</title>", html), (role, path)
                csp = response.headers["content-security-policy"]
                assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_claim_page_draws_a_box_around_each_value_read_and_caches_the_pages(desk, tmp_path):
    app, seeded, _store = desk
    c = log_in(app, "consultant")
    html = c.get(f"/claims/{seeded.held}").text
    fields = re.findall(r'class="box box-field" data-field="(\w+)"', html)
    assert {"cpr", "employee_name", "period_start"} <= set(fields) or \
        {"cpr", "employee_name"} <= set(fields), fields
    assert len(re.findall(r'class="box box-line"', html)) >= 3
    assert "Der er ingen godkendt ansættelse for" in html  # why it is held, in Danish
    image = c.get(f"/claims/{seeded.held}/page/0.png")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    cached = list((tmp_path / "desk-cache").glob("*.png"))
    assert len(cached) == 1
    assert c.get(f"/claims/{seeded.held}/page/0.png").content == image.content
    assert c.get(f"/claims/{seeded.held}/page/9.png").status_code == 404


def test_decisions_through_the_desk_are_the_use_cases(desk):
    app, seeded, store = desk
    consultant = log_in(app, "consultant")
    page = f"/claims/{seeded.held}"
    response = post(consultant, f"{page}/correct", {"field": "hours", "value": "7,5"}, page)
    assert response.status_code == 303
    assert claim(store, seeded.held).hours == 7.5
    response = post(consultant, f"{page}/approve", {"note": "set på papir"}, page)
    assert response.status_code == 303
    assert claim(store, seeded.held).status == "validated"
    refused = post(consultant, f"{page}/approve", {}, page)
    assert refused.status_code == 409 and "only a claim held for review" in refused.text
    assert post(consultant, f"{page}/paid", {}, page).status_code == 403
    economy = log_in(app, "economy")
    assert post(economy, f"{page}/paid", {}, page).status_code == 303
    assert claim(store, seeded.held).status == "paid"
    with session(store.engine) as db:
        trail = [(a.actor, a.action) for a in db.exec(select(AuditEntry).where(
            AuditEntry.claim_id.is_not(None)).order_by(AuditEntry.id)).all()]
        kinds = [m.kind for m in db.exec(select(OutboundMessage)).all()]
    assert trail == [(STAFF["consultant"], "correct"), (STAFF["consultant"], "approve"),
                     (STAFF["economy"], "paid")]
    assert kinds.count("summary") == 2  # the automatic one and the approved one


def test_reject_through_the_desk_tells_the_sender(desk):
    app, seeded, store = desk
    c = log_in(app, "consultant")
    page = f"/claims/{seeded.held}"
    assert post(c, f"{page}/reject", {"reason": "  "}, page).status_code == 409
    assert post(c, f"{page}/reject", {"reason": "Borgeren er ikke i småjob."},
                page).status_code == 303
    assert claim(store, seeded.held).status == "rejected"
    with session(store.engine) as db:
        held, reply = db.exec(select(OutboundMessage).where(OutboundMessage.kind == "reply")
                              .order_by(OutboundMessage.id)).all()
    # The held notice went out when the claim was read; the rejection follows it.
    assert held.recipient == reply.recipient == "lon@firma.dk"
    assert "Borgeren er ikke i sm" not in held.raw.decode("utf-8", "replace")
    assert "Borgeren er ikke i sm=C3=A5job." in reply.raw.decode() or \
        "Borgeren er ikke i småjob." in reply.raw.decode("utf-8", "replace")


def test_the_economy_group_may_reveal_a_cpr_and_it_is_audited(desk):
    app, seeded, store = desk
    economy = log_in(app, "economy")
    page = f"/claims/{seeded.held}"
    response = post(economy, f"{page}/reveal-cpr", {}, page)
    assert response.status_code == 200 and seeded.held_case.cpr in response.text
    with session(store.engine) as db:
        (entry,) = db.exec(select(AuditEntry).where(AuditEntry.action == "reveal_cpr")).all()
    assert (entry.actor, entry.subject) == (STAFF["economy"], seeded.held)
    assert post(log_in(app, "consultant"), f"{page}/reveal-cpr", {}, page).status_code == 403


def test_export_opens_in_danish_excel(desk):
    app, seeded, store = desk
    c = log_in(app, "economy")
    row = claim(store, seeded.validated)
    month = row.period_start.strftime("%Y-%m")
    response = c.get(f"/export/{month}.csv")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == \
        f'attachment; filename="refusion-{month}.csv"'
    data = response.content
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert header[:4] == ["Reference", "Status", "Periode fra", "Periode til"]
    assert "Refusionsberettiget beløb" in header and "CPR-nr." in header
    (line,) = lines[1:]
    cells = dict(zip(header, line.split(";"), strict=True))
    assert cells["Reference"] == seeded.validated and cells["Status"] == "valideret"
    assert cells["Refusionsberettiget beløb"] == \
        f"{row.refundable_amount:.2f}".replace(".", ",")
    assert cells["Periode fra"] == row.period_start.strftime("%d-%m-%Y")
    assert cells["Nedsat til timeloftet"] in ("Ja", "Nej")
    with session(store.engine) as db:
        (entry,) = db.exec(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert entry.subject == month and entry.details == {"claims": 1}


def test_approving_an_intake_creates_the_employment_and_the_pool_shows_it(desk):
    app, seeded, store = desk
    c = log_in(app, "consultant")
    before = c.get("/pool").text
    assert "Godkendt nu: 14,00 af 100,00 timer om ugen" in before
    # The first day offered is the manager's expected start (mandag 04.01.2027).
    assert 'name="start" value="2027-01-04"' in c.get("/intakes").text
    response = post(c, f"/intakes/{seeded.intake_id}/approve",
                    {"cpr": "010190-1234", "name": "Mette Sørensen", "start": "2027-01-04"},
                    "/intakes")
    assert response.status_code == 303, response.text[:400]
    with session(store.engine) as db:
        employment = db.exec(select(Employment).where(Employment.citizen_name ==
                                                      "Mette Sørensen")).one()
    assert employment.hours_per_week == 6
    after = c.get("/pool").text
    assert "Mette Sørensen" in after and "010190-xxxx" in after
    refused = post(c, f"/intakes/{seeded.intake_id}/approve",
                   {"cpr": "010190-1234", "name": "Mette", "start": "2027-01-04"}, "/intakes")
    assert refused.status_code in (200, 409)  # no longer listed: nothing to approve twice


def test_today_lists_what_needs_the_consultant_now(desk):
    app, seeded, _store = desk
    html = log_in(app, "consultant").get("/").text
    held, rest = html.split("Jobbeskrivelser der venter på godkendelse")
    assert seeded.held in held and seeded.validated not in held
    waiting, rest = rest.split("Ansættelser der slutter inden for 30 dage")
    assert "#1 Albertslund Kommune" in waiting and "6,00 timer om ugen" in waiting
    ending, missing = rest.split("Ingen lønseddel modtaget for 10/2026")
    assert "Bo Ending" in ending and "02.12.2026" in ending
    assert "Bo Ending" in missing  # worked in October, no claim for it


def test_english_on_request(desk):
    app, _seeded, _store = desk
    c = log_in(app, "admin")
    assert "Claims held for review" in c.get("/?lang=en").text
    assert "Claims held for review" in c.get("/").text  # remembered
    assert "Krav til vurdering" in c.get("/?lang=da").text


def test_staff_commands(config_file, store):
    path = config_file()

    def run(*args: str, stdin: str | None = None):
        return CliRunner().invoke(cli, [*args, "--config", str(path)], input=stdin)

    result = run("staff", "add", "Ny@Kommune.example", "--name", "Ny Person", "--role",
                 "consultant", "--password-stdin", stdin="en lang nok adgangskode\n")
    assert result.exit_code == 0, result.output
    assert "Added ny@kommune.example (Ny Person, consultant)." in result.output
    short = run("staff", "add", "b@kommune.example", "--name", "B", "--role", "economy",
                "--password-stdin", stdin="kort\n")
    assert short.exit_code == 1 and "at least 12" in short.output
    assert "ny@kommune.example" in run("staff", "list").output
    assert "Disabled" in run("staff", "disable", "ny@kommune.example").output
    assert "no" in run("staff", "list").output.splitlines()[1]
    reset = run("staff", "reset", "ny@kommune.example", "--password-stdin",
                stdin="en anden lang adgangskode\n")
    assert reset.exit_code == 0 and "New password set" in reset.output
    missing = run("staff", "disable", "nobody@kommune.example")
    assert missing.exit_code == 1 and "no staff member" in missing.output


# -- the pool's employments, intakes' questions, workplaces, XLSX, sick days -----------------


def audit_rows(store, action: str) -> list[AuditEntry]:
    with session(store.engine) as db:
        return list(db.exec(select(AuditEntry).where(AuditEntry.action == action)
                            .order_by(AuditEntry.id)).all())


def employment(store, employment_id: int) -> Employment:
    with session(store.engine) as db:
        return db.get(Employment, employment_id)


NEW_POSTS = ["/pool/employments", "/pool/employments/{e}/end", "/pool/employments/{e}/extend",
             "/intakes/{i}/ask", "/intakes/{i}/decline",
             f"/workplaces/{INTAKE_CVR}/senders", f"/workplaces/{INTAKE_CVR}/senders/remove"]


def test_the_new_forms_need_the_csrf_token(desk):
    app, seeded, store = desk
    c = log_in(app, "consultant")
    for url in NEW_POSTS:
        url = url.format(e=seeded.ending_id, i=seeded.intake_id)
        data = {"on": "2026-11-30", "end": "2027-01-31", "reason": "x", "question": "x",
                "sender": "albertslund.dk"}
        assert c.post(url, data=data).status_code == 403, url
        assert c.post(url, data={**data, "csrf_token": "wrong"}).status_code == 403, url
    assert employment(store, seeded.ending_id).status == "approved"
    assert audit_rows(store, "remove_sender") == [] and audit_rows(store, "ask_intake") == []


def test_a_consultant_adds_ends_and_extends_employments_on_the_pool_page(desk):
    app, seeded, store = desk
    c = log_in(app, "consultant")
    assert "Godkendt nu: 14,00 af 100,00 timer om ugen" in c.get("/pool").text
    new = {"cpr": "010190-1234", "name": "Mette Sørensen", "cvr": INTAKE_CVR, "hours": "5,5",
           "start": "2026-12-01", "end": "2027-02-28",
           "reason": "Ansættelsen er midlertidig, fordi opgaven er afgrænset til arkivet."}
    # Every check the CLI makes, in Danish.
    refused = post(c, "/pool/employments", {**new, "start": "2026-11-01"}, "/pool")
    assert refused.status_code == 409
    assert "Startdatoen 01.11.2026 ligger før i dag (22.11.2026)" in refused.text
    refused = post(c, "/pool/employments", {**new, "hours": "12"}, "/pool")
    assert "En ansættelse må højst have 10 timer om ugen (fik 12)" in refused.text
    refused = post(c, "/pool/employments", {**new, "end": "2027-12-01", "reason": " "}, "/pool")
    assert "må senest slutte 30.11.2027" in refused.text
    assert "Begrundelsen for, at ansættelsen er midlertidig, mangler." in refused.text
    assert not FULL_CPR.search(refused.text)
    assert 'value="Mette Sørensen"' in refused.text  # the form keeps what was typed
    added = post(c, "/pool/employments", new, "/pool")
    assert (added.status_code, added.headers["location"]) == \
        (303, "/pool?done=add_employment")
    with session(store.engine) as db:
        mette = db.exec(select(Employment).where(
            Employment.citizen_name == "Mette Sørensen")).one()
    assert (mette.hours_per_week, mette.start_date, mette.end_date) == \
        (Decimal("5.5"), date(2026, 12, 1), date(2027, 2, 28))
    (entry,) = audit_rows(store, "add_employment")
    assert (entry.actor, entry.subject, entry.details["cpr"]) == \
        (STAFF["consultant"], f"employment {mette.id}", "010190-xxxx")
    page = c.get("/pool?done=add_employment").text
    assert "Ansættelsen er godkendt og tæller nu i puljen." in page and "010190-xxxx" in page

    # End Bo Ending early: his hours leave the pool after the last day.
    ending = f"/pool/employments/{seeded.ending_id}"
    later = post(c, f"{ending}/end", {"on": "2027-01-15"}, "/pool")
    assert later.status_code == 409 and "den kan ikke afsluttes senere" in later.text
    ended = post(c, f"{ending}/end", {"on": "2026-11-25", "reason": "Stoppede selv."}, "/pool")
    assert ended.status_code == 303
    row = employment(store, seeded.ending_id)
    assert (row.status, row.ended_on) == ("ended", date(2026, 11, 25))
    (entry,) = audit_rows(store, "end_employment")
    assert (entry.reason, entry.details["last_day"]) == ("Stoppede selv.", "2026-11-25")
    again = post(c, f"{ending}/end", {"on": "2026-11-24"}, "/pool")
    assert again.status_code == 409 and "er allerede afsluttet (25.11.2026)" in again.text

    # Extend Mette's employment with an addendum.
    extend = f"/pool/employments/{mette.id}/extend"
    no_reason = post(c, extend, {"end": "2027-05-31", "reason": ""}, "/pool")
    assert no_reason.status_code == 409 and "Begrundelsen for tillægget" in no_reason.text
    too_long = post(c, extend, {"end": "2027-12-01", "reason": "Mere arkiv."}, "/pool")
    assert "må senest slutte 30.11.2027 (fik 01.12.2027)" in too_long.text
    assert "Mette Sørensen (010190-xxxx): " in too_long.text  # which one was refused
    assert 'value="Mere arkiv."' not in too_long.text  # the add form is not refilled
    bad_date = post(c, extend, {"end": "31-05-2027x", "reason": "Mere arkiv."}, "/pool")
    assert bad_date.status_code == 409 and "er ikke en dato" in bad_date.text
    done = post(c, extend, {"end": "31.05.2027", "reason": "Arkivet er større end ventet."},
                "/pool")
    assert done.status_code == 303
    assert employment(store, mette.id).end_date == date(2027, 5, 31)
    (entry,) = audit_rows(store, "extend_employment")
    assert (entry.reason, entry.details["old_end"], entry.details["new_end"]) == \
        ("Arkivet er større end ventet.", "2027-02-28", "2027-05-31")
    assert "31.05.2027" in c.get("/pool").text
    audit_page = log_in(app, "admin").get("/audit").text
    assert "forlængede ansættelse" in audit_page and "Arkivet er større end ventet." in audit_page


def test_a_consultant_asks_the_manager_and_declines_an_intake(desk):
    app, seeded, store = desk
    c = log_in(app, "consultant")
    url = f"/intakes/{seeded.intake_id}"
    empty = post(c, f"{url}/ask", {"question": "  "}, "/intakes")
    assert empty.status_code == 409 and "Spørgsmålet er tomt" in empty.text
    asked = post(c, f"{url}/ask", {"question": "Hvem viser borgeren rundt?"}, "/intakes")
    assert (asked.status_code, asked.headers["location"]) == (303, "/intakes?done=ask_intake")
    with session(store.engine) as db:
        (question,) = db.exec(select(ChatMessage)).all()
        assert db.get(Intake, seeded.intake_id).status == "submitted"  # still in the queue
    assert (question.channel, question.user_id) == ("telegram", "42")
    assert "Hvem viser borgeren rundt?" in question.text
    assert "konsulenter@kommune.example" in question.text
    assert "Jobcentret har et spørgsmål til jobbet \"Hovedbiblioteket\"" in question.text
    refused = post(c, f"{url}/decline", {"reason": ""}, "/intakes")
    assert refused.status_code == 409 and "Begrundelsen mangler" in refused.text
    declined = post(c, f"{url}/decline", {"reason": "Opgaven er en del af en fast stilling."},
                    "/intakes")
    assert declined.status_code == 303
    with session(store.engine) as db:
        assert db.get(Intake, seeded.intake_id).status == "cancelled"
        messages = db.exec(select(ChatMessage).order_by(ChatMessage.id)).all()
    assert "Jobcentret kan ikke godkende jobbet" in messages[-1].text
    assert "Opgaven er en del af en fast stilling." in messages[-1].text
    assert [(a.action, a.reason) for a in audit_rows(store, "ask_intake")
            + audit_rows(store, "decline_intake")] == [
        ("ask_intake", "Hvem viser borgeren rundt?"),
        ("decline_intake", "Opgaven er en del af en fast stilling.")]
    page = c.get("/intakes?done=decline_intake").text
    assert "Jobbeskrivelsen er afvist" in page and f"intake-{seeded.intake_id}" not in page
    twice = post(c, f"{url}/decline", {"reason": "Igen."}, "/intakes")
    assert twice.status_code == 409 and "er annulleret" in twice.text


def test_the_workplaces_page_and_its_senders(desk):
    app, seeded, store = desk
    c = log_in(app, "consultant")
    html = c.get("/workplaces").text
    cvr = seeded.validated_case.cvr
    with session(store.engine) as db:
        validated = db.exec(select(Claim).where(Claim.reference == seeded.validated)).one()
    october = validated.period_start.month == 10 and validated.period_start.year == 2026
    row = html.split(f'id="workplace-{cvr}"')[1].split("</tr>")[0]
    assert "firma.dk" in row and seeded.validated_case.employer_name in row
    cells = re.findall(r'<td class="num">(?:<a [^>]*>)?(\d+)', row)
    assert cells == ["2", "1" if october else "0"]  # two running employments
    assert "Krav for 10/2026" in html
    other = html.split(f'id="workplace-{INTAKE_CVR}"')[1].split("</tr>")[0]
    assert "albertslund.dk" in other
    url = f"/workplaces/{INTAKE_CVR}/senders"
    bad = post(c, url, {"sender": "ikke en adresse"}, "/workplaces")
    assert bad.status_code == 409
    assert "»ikke en adresse« er hverken en e-mailadresse" in bad.text
    assert post(c, url, {"sender": "Løn@Albertslund.dk"}, "/workplaces").status_code == 303
    assert post(c, f"{url}/remove", {"sender": "albertslund.dk"},
                "/workplaces").status_code == 303
    assert store.workplace_by_cvr(INTAKE_CVR).senders == ("løn@albertslund.dk",)
    gone = post(c, f"{url}/remove", {"sender": "albertslund.dk"}, "/workplaces")
    assert gone.status_code == 409
    assert "albertslund.dk er ikke en godkendt afsender for CVR" in gone.text
    assert [(a.action, a.details["sender"]) for a in audit_rows(store, "add_sender")
            + audit_rows(store, "remove_sender")] == [
        ("add_sender", "løn@albertslund.dk"), ("remove_sender", "albertslund.dk")]
    economy = log_in(app, "economy")
    seen = economy.get("/workplaces").text
    assert "albertslund.dk" in seen and "Tilføj afsender" not in seen  # looks, may not change


def test_the_xlsx_export_has_the_csv_rows_with_numbers_and_dates(desk):
    openpyxl = pytest.importorskip("openpyxl")
    app, seeded, store = desk
    c = log_in(app, "economy")
    row = claim(store, seeded.validated)
    month = row.period_start.strftime("%Y-%m")
    response = c.get(f"/export/{month}.xlsx")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == \
        f'attachment; filename="refusion-{month}.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    csv_lines = c.get(f"/export/{month}.csv").content.decode("utf-8-sig").splitlines()
    assert values[0] == csv_lines[0].split(";")  # the same Danish headers, in order
    assert len(values) == len(csv_lines) == 2
    cells = dict(zip(values[0], values[1], strict=True))
    assert cells["Reference"] == seeded.validated and cells["Status"] == "valideret"
    assert cells["Periode fra"] == datetime.combine(row.period_start, datetime.min.time())
    assert isinstance(cells["Refusionsberettiget beløb"], float)
    assert cells["Refusionsberettiget beløb"] == pytest.approx(float(row.refundable_amount))
    assert cells["Lønudgift i alt"] == pytest.approx(float(row.employer_cost))
    case = seeded.validated_case
    assert cells["CPR-nr."] == f"{case.cpr.replace('-', '')[:6]}-{case.cpr.replace('-', '')[6:]}"
    assert cells["Nedsat til timeloftet"] in ("Ja", "Nej")
    csv_cells = dict(zip(csv_lines[0].split(";"), csv_lines[1].split(";"), strict=True))
    assert csv_cells["Refusionsberettiget beløb"] == \
        f"{cells['Refusionsberettiget beløb']:.2f}".replace(".", ",")
    (entry,) = [a for a in audit_rows(store, "export") if a.details.get("format") == "xlsx"]
    assert (entry.actor, entry.details["claims"]) == (STAFF["economy"], 1)
    assert log_in(app, "consultant").get(f"/export/{month}.xlsx").status_code == 403


def test_today_shows_sick_days_nearing_the_limit(desk):
    app, seeded, store = desk
    with session(store.engine) as db:
        row = db.exec(select(Claim).where(Claim.reference == seeded.validated)).one()
        row.sick_hours = Decimal(52)  # 10 h/week: 2 h a day, so 26 sick days
        db.add(row)
    html = log_in(app, "consultant").get("/").text
    section = html.split("Sygedage nær grænsen på 30 dage")[1].split("</section>")[0]
    assert seeded.validated_case.employee_name in section and "26 / 30" in section
    with session(store.engine) as db:
        row = db.exec(select(Claim).where(Claim.reference == seeded.validated)).one()
        row.sick_hours = Decimal(40)  # 20 days: not yet near
        db.add(row)
    html = log_in(app, "consultant").get("/").text
    section = html.split("Sygedage nær grænsen på 30 dage")[1].split("</section>")[0]
    assert seeded.validated_case.employee_name not in section


@pytest.mark.parametrize("how", [
    Scan(dpi=200, shadow=True, skew=2.0, jpeg_quality=80, form="jpeg"),
    Scan(dpi=200, rotation=90, form="png"),
], ids=["photo-skewed", "scan-turned"])
def test_a_photographed_payslip_is_shown_with_boxes_where_the_ocr_read(desk, reader, how):
    app, seeded, store = desk
    config = app.state.desk.config
    case = make_case("private", 0)
    (photo,) = scan(case, how)
    inbound_id, _ = store.save_inbound(photo_mail(photo, "IMG_2041.JPG", "application",
                                                  "octet-stream"), "smtp", "lon@firma.dk",
                                       ["jobcenter@kommune.example"])
    Pipeline(store.engine, config, reader, today=lambda: TODAY).process(inbound_id)
    with session(store.engine) as db:
        row = db.exec(select(Claim).where(Claim.source == "IMG_2041.JPG")).one()
    c = log_in(app, "consultant")
    html = c.get(f"/claims/{row.reference}").text
    assert not FULL_CPR.search(html)
    view_w, view_h = (float(v) for v in re.search(
        r'class="payslip" viewBox="0 0 ([\d.]+) ([\d.]+)"', html).groups())
    boxes = {m[0]: tuple(float(v) for v in m[1:]) for m in re.findall(
        r'class="box box-field" data-field="(\w+)" x="([\d.-]+)" y="([\d.-]+)" '
        r'width="([\d.]+)" height="([\d.]+)"', html)}
    assert {"cpr", "employee_name"} <= set(boxes), boxes
    png = c.get(f"/claims/{row.reference}/page/0.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    page = Image.open(io.BytesIO(png.content)).convert("L")
    assert page.width <= 1000  # downscaled from the 200 dpi photo
    assert page.width / page.height == pytest.approx(view_w / view_h, rel=0.01)
    per_point = page.width / view_w

    def mean(field: str) -> float:
        x, y, w, h = boxes[field]  # drawn 2 points larger on every side
        area = page.crop((round((x + 3) * per_point), round((y + 3) * per_point),
                          round((x + w - 3) * per_point), round((y + h - 3) * per_point)))
        return ImageStat.Stat(area).mean[0]

    assert mean("cpr") == pytest.approx(120, abs=12)  # the grey bar: found, and covered
    assert mean("employee_name") < 235  # ink where the name was read, not blank paper
    assert c.get(f"/claims/{row.reference}/page/1.png").status_code == 404


def test_the_follow_up_shows_its_rules_what_is_due_and_runs_once(desk):
    app, _seeded, store = desk
    c = log_in(app, "consultant")
    page = c.get("/followup").text
    assert "Lønsedlen for sidste måned mangler den 10. i måneden" in page
    assert "Sygedage i ansættelsen når 20, 30" in page
    due = page.split("Forfalden i dag")[1].split("Sendte påmindelser")[0]
    # Bo Ending's employment ends 02.12.2026, within 30 days of 22.11.2026.
    assert "Ansættelse slutter" in due and "konsulenter@kommune.example" in due
    assert "Månedsoversigt" in due and "okonomi@kommune.example" in due
    assert due.count(">sendes<") >= 3 and ">sendt før<" not in due
    response = post(c, "/followup/run", page="/followup")
    assert response.status_code == 303
    queued = int(response.headers["location"].split("queued=")[1])
    assert queued == due.count(">sendes<")
    with session(store.engine) as db:
        sent = db.exec(select(OutboundMessage).where(OutboundMessage.kind == "followup")).all()
        (run,) = db.exec(select(AuditEntry).where(AuditEntry.action == "followup_run")).all()
    assert len(sent) == queued and run.actor == STAFF["consultant"]
    after = c.get(response.headers["location"]).text
    assert f"Opfølgningen er kørt: {queued} påmindelse(r) sat i kø." in after
    assert after.split("Forfalden i dag")[1].count(">sendt før<") == queued
    # Running it again queues nothing twice.
    again = post(c, "/followup/run", page="/followup")
    assert again.headers["location"] == "/followup?queued=0"


def test_the_economy_group_sees_the_follow_up_but_does_not_run_it(desk):
    app, _seeded, _store = desk
    c = log_in(app, "economy")
    page = c.get("/followup?lang=en").text
    assert "On day 5 of the month: last month&#39;s summary to the economy group" in page
    assert "Run the follow-up now" not in page
    assert post(c, "/followup/run", page="/followup").status_code == 403

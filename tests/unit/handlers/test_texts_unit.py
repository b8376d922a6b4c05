"""The pure text modules without a database: handlers/texts.py (replies' parts),
handlers/summary.py (the mails' bodies), parsers/email.py and parsers/claim_text.py."""

from datetime import date
from decimal import Decimal

import pytest

from handlers import summary, texts
from handlers.i18n import placeholders
from handlers.problems import Problem
from parsers import claim_text, email

BAD_CPR = Problem("cpr", "cpr_invalid", "the CPR number is not valid", "error",
                  values={"cpr": "010190-xxxx"})

# -- handlers/texts.py -----------------------------------------------------------------------


def test_field_names_in_both_languages_and_an_unknown_field_readable() -> None:
    assert texts.field_name("cvr") == "arbejdsgiverens CVR-nummer (8 cifre)"
    assert texts.field_name("cvr", "en") == "the employer's CVR number (8 digits)"
    assert texts.field_name("sick_hours", "en") == "sick hours"


@pytest.mark.parametrize("code", sorted(texts.PROBLEM_TEXTS))
@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_problem_text_fills_in_every_value(code: str, lang: str) -> None:
    names = placeholders(texts.PROBLEM_TEXTS[code]["da"]) - {"field"}
    problem = Problem("cvr", code, "fallback message", values={n: f"<{n}>" for n in names})
    written = texts.problem_text(problem, lang)  # type: ignore[arg-type]
    assert written != "fallback message" and "{" not in written
    assert all(f"<{n}>" in written for n in names - {"reason"})


def test_a_problem_text_names_the_field_and_writes_danish_dates_in_danish() -> None:
    mismatch = Problem("cvr", "mismatch", "", values={"mail": "1", "payslip": "2"})
    assert texts.problem_text(mismatch) == (
        "Mailen og lønsedlen er ikke enige om CVR-nummeret: 1 i mailen, 2 på lønsedlen.")
    future = Problem("period", "period_future", "", values={"start": "2027-01-01"})
    assert texts.problem_text(future) == "Perioden starter i fremtiden (01.01.2027)."
    assert texts.problem_text(future, "en") == "The period starts in the future (2027-01-01)."


def test_an_unreadable_payslip_gets_the_reason_in_the_readers_language() -> None:
    problem = Problem("payslip", "payslip_unreadable", "", values={
        "filename": "løn.pdf", "reason": "the PDF is damaged", "reason_code": "damaged"})
    assert texts.problem_text(problem) == (
        "Vedhæftningen \"løn.pdf\" kunne ikke læses: PDF-filen er beskadiget eller afkortet. "
        "Send den igen.")
    assert texts.problem_text(problem, "en").endswith(
        "could not be read: the PDF is damaged or truncated. Send it again.")


def test_a_problem_without_a_text_or_a_value_falls_back_to_its_message() -> None:
    assert texts.problem_text(Problem("x", "no_such_code", "as the code says")) == (
        "as the code says")
    assert texts.problem_text(Problem("cpr", "cpr_invalid", "no value given")) == (
        "no value given")


def test_reply_subject_answers_once_and_has_a_fallback() -> None:
    assert texts.reply_subject("Refusion oktober") == "Re: Refusion oktober"
    assert texts.reply_subject("SV: Refusion") == "SV: Refusion"
    assert texts.reply_subject("") == "Re: Refusion"
    assert texts.reply_subject("", "en") == "Re: Refund"


def test_fix_list_heads_what_is_missing_then_what_is_wrong() -> None:
    assert texts.fix_list(["amount"], [BAD_CPR], "en") == [
        "Missing:", "- the refund amount (the wage costs on the payslip)",
        "To correct:", "- The CPR number 010190-xxxx is not valid: the first six digits must "
        "be a real date (DDMMYY) and there must be 10 digits."]
    assert texts.fix_list([], [], "da") == []


# -- handlers/summary.py ---------------------------------------------------------------------


def test_amounts_and_days_are_written_as_each_language_writes_them() -> None:
    assert summary.kr(Decimal("1234.5")) == "1.234,50"
    assert summary.kr(Decimal("1234.5"), "en") == "1,234.50"
    assert summary.kr(None) == "-"
    assert summary.day(date(2026, 10, 1)) == "01.10.2026"
    assert summary.day(date(2026, 10, 1), "en") == "2026-10-01"
    assert summary.day(None) == "-"


CLAIM = summary.ClaimSummary(
    reference="R-1", workplace="Bibliotek", cvr="65113015", employee_name="Mads",
    cpr_masked="010190-xxxx", period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
    hours=Decimal("45"), sick_hours=Decimal(3), approved_hours_per_week=Decimal(10),
    cap_hours=Decimal("43"), capped=True,
    components={"salary": Decimal("5000"), "atp": Decimal("90.5"),
                "am_contribution": Decimal(400)},
    claimed=("salary", "atp"), employer_cost=Decimal("6000"), claimed_cost=Decimal("5090.5"),
    refundable_amount=Decimal("4864.26"), sender="a@b.dk", received="02.11.2026 10:00",
    message_id=None, checks_held=("gross", "net"))


def test_the_economy_summary_in_danish() -> None:
    subject, body = summary.economy_summary(CLAIM)
    assert subject == "Refusion R-1: Bibliotek - Mads - 01.10.2026-31.10.2026 - kr. 4.864,26"
    lines = body.splitlines()
    assert lines[0] == "Refusionskrav R-1 er valideret og kan udbetales."
    assert "Timer           45,00 (heraf syg 3,00)" in lines
    assert "Godkendt        10,00 timer/uge; loft 43,00 timer i perioden" in lines
    assert "  ATP (arbejdsgiverandel)                              90,50" in lines
    assert "Søgt dækning af løn, ATP: kr. 5.090,50" in lines
    assert ("Nedsat (loft)   Ja: 45,00 timer > loft 43,00 timer; beløbet er nedsat "
            "forholdsmæssigt") in lines
    assert "Aflæsningen er afstemt med lønsedlens egne tal: bruttoløn, udbetaling." in lines
    assert lines[-1] == "Lønsedlen er vedhæftet."


def test_the_economy_summary_in_english_keeps_the_columns() -> None:
    _subject, body = summary.economy_summary(CLAIM, "en")
    lines = body.splitlines()
    assert "Hours           45.00 (of which sick 3.00)" in lines
    assert "Wage costs                                               kr." in lines
    assert "  Employer cost, total                              6,000.00" in lines
    assert "Capped          Yes: 45.00 hours > cap 43.00 hours; the amount is reduced pro rata" \
        in lines
    assert "Refund          kr. 4,864.26" in lines


def test_the_reply_to_a_workplace_lists_what_to_fix_and_how_to_send_again() -> None:
    subject, body = summary.sender_reply("Refusion oktober", [("", ["cpr"], [BAD_CPR])], [],
                                         "jc@kommune.dk")
    assert subject == "Re: Refusion oktober"
    assert body.splitlines()[:7] == [
        "Tak for din mail om refusion for job på få lønnede timer.", "",
        "Vi kan ikke behandle kravet endnu:", "",
        "Mangler:", "- den ansattes CPR-nummer (DDMMÅÅ-XXXX)", "Skal rettes:"]
    assert "Send venligst en ny mail til jc@kommune.dk (ATT: Økonomigruppe)" in body
    assert body.endswith("Venlig hilsen\nJobcentret, Økonomigruppen\n(automatisk svar)\n")


def test_an_accepted_claim_with_an_unusable_attachment_says_it_was_received() -> None:
    note = Problem("payslip", "not_a_payslip", "", values={"filename": "foto.jpg"})
    _subject, body = summary.sender_reply("x", [], [note], "jc@kommune.dk", "en",
                                          accepted=True)
    assert body.splitlines()[2:5] == [
        "We have received the claim and are processing it, but not all of the e-mail could "
        "be used:", "", "- The attachment \"foto.jpg\" does not look like a payslip."]


def test_the_consultants_notices() -> None:
    subject, body = summary.review_notice("R-2", "Bibliotek", "Mads", "010190-xxxx",
                                          [BAD_CPR], "en")
    assert subject == "For review: refund claim R-2 (Bibliotek)"
    assert "Employee: Mads, CPR 010190-xxxx" in body.splitlines()
    subject, body = summary.failed_notice(5, 3, "a@b.dk", "", "boom")
    assert subject == "Mail kunne ikke behandles (indgående nr. 5)"
    assert body.splitlines()[2:6] == ["Indgående nr.: 5", "Fra: a@b.dk", "Emne: (intet emne)",
                                      "Årsag: boom"]
    subject, body = summary.held_notice("a@b.dk", "", "Ferie", "auto_reply", "auto-replied",
                                        [("R-3", "needs_review")])
    assert subject == "Ikke besvaret: mail fra a@b.dk"
    assert body.splitlines()[:2] == ["Mailen er et automatisk svar (fx et fraværssvar).",
                                     "(auto-replied)"]
    assert "- R-3 (needs_review)" in body.splitlines()


def test_why_a_mail_was_not_answered_is_told_in_english_too() -> None:
    _subject, body = summary.held_notice("a@b.dk", "", "x", "bounce", "bounce", [], "en")
    assert body.splitlines()[0] == "The mail is a bounce or a delivery report."
    _subject, body = summary.held_notice("a@b.dk", "", "x", "something_new", "?", [], "da")
    assert body.splitlines()[0] == "Mailen besvares ikke automatisk."


# -- parsers/email.py ------------------------------------------------------------------------

MAIL = (
    "From: \"Lone Hansen\" <Lone@Bibliotek.DK>\r\nTo: jc@kommune.dk\r\n"
    "Subject: =?utf-8?q?Refusion_for_l=C3=B8n?=\r\nMessage-ID: < abc@x >\r\n"
    "Date: Mon, 02 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=B\r\n\r\n"
    "--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nVi søger refusion af løn.\r\n"
    "--B\r\nContent-Type: application/pdf\r\n"
    "Content-Disposition: attachment; filename=\"=?utf-8?q?L=C3=B8nseddel.pdf?=\"\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--B--\r\n").encode()


def test_a_mail_is_read_into_its_sender_subject_body_and_pdf() -> None:
    message = email.read(MAIL)
    assert isinstance(message, email.MailMessage)
    assert (message.sender, message.sender_name) == ("lone@bibliotek.dk", "Lone Hansen")
    assert message.subject == "Refusion for løn" and message.message_id == "<abc@x>"
    assert message.date is not None and message.date.isoformat() == "2026-11-02T10:00:00+01:00"
    assert message.body_text.strip() == "Vi søger refusion af løn."
    assert [(a.filename, a.data) for a in message.pdfs] == [("Lønseddel.pdf", b"%PDF-1.4\n")]


def test_what_is_not_a_mail_or_too_large_is_unreadable_with_the_reason() -> None:
    assert email.read(b"not an email at all") == email.UnreadableMail(
        "not an e-mail: the data does not start with header lines")
    too_large = email.read(MAIL, email.MailLimits(max_bytes=100))
    assert isinstance(too_large, email.UnreadableMail)
    assert too_large.reason.startswith(f"the message is {len(MAIL):,} bytes")


def test_header_words_html_and_authentication_results() -> None:
    assert email.decode_words("=?iso-8859-1?q?R=E6kke?= ok") == "Række ok"
    assert email.html_to_text("<p>Hej <b>Lone</b></p><script>x</script>"
                              "<table><tr><td>a</td><td>b</td></tr></table>") == "Hej Lone\n\na b"
    assert email.parse_authentication_results(
        "mx.kommune.dk; spf=pass smtp.mailfrom=a@b.dk; dkim=fail (bad sig) header.d=b.dk") == (
        email.AuthResult("mx.kommune.dk", "spf", "pass"),
        email.AuthResult("mx.kommune.dk", "dkim", "fail"))


def test_the_content_key_ignores_the_relays_trace_headers() -> None:
    one = email.content_key(b"Received: from a\r\nSubject: x\r\n\r\nbody")
    assert one == email.content_key(b"Received: from b\r\nSubject: x\r\n\r\nbody")
    assert one != email.content_key(b"Received: from a\r\nSubject: y\r\n\r\nbody")


# -- parsers/claim_text.py -------------------------------------------------------------------


def test_labelled_claim_fields_and_the_claim_statement_are_read_from_a_body() -> None:
    found = claim_text.read(
        "Medarbejder: Mads Jensen\nCPR: 010190-1234\nArbejdsgiver: Albertslund Bibliotek\n"
        "CVR: 65113015\nPeriode: 01.10.2026 - 31.10.2026\nBeløb: 4.500,00 kr.\nTimer: 40\n\n"
        "Vi søger refusion af løn og ATP.")
    assert found.employee_name == "Mads Jensen" and found.cpr == "0101901234"
    assert (found.employer_name, found.cvr) == ("Albertslund Bibliotek", "65113015")
    assert (found.period_start, found.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert (found.amount, found.hours) == (Decimal("4500.00"), Decimal("40"))
    assert found.claimed == ("salary", "atp")
    assert found.claim_statement == "Vi søger refusion af løn og ATP."
    assert found.has_claim_fields


def test_a_body_without_claim_fields_has_none() -> None:
    found = claim_text.read("Hej, hvordan går det?")
    assert found == claim_text.ClaimText() and not found.has_claim_fields


def test_every_check_the_reader_makes_has_a_name_in_both_languages() -> None:
    # The desk and the summaries name each check; a missing name showed the code
    # ("unread_items: holder") in the Danish claim page.
    from handlers.summary import CHECK_NAMES
    from parsers.payslip import read
    from tests.fixtures.payslips import make_case, render
    slip = read(render(make_case("municipal", 7)))
    made = {check.check for check in slip.checks}
    assert {"gross", "net", "other", "unread_items"} <= made
    assert made <= set(CHECK_NAMES)
    assert all(CHECK_NAMES[name]["da"] and CHECK_NAMES[name]["en"] for name in made)


def test_a_held_claim_is_explained_in_a_workplaces_words() -> None:
    from handlers.problems import Problem
    from handlers.summary import held_reasons

    outside = Problem("period", "outside_employment", "internal", values={
        "start": "2026-10-01", "end": "2026-10-31",
        "employment_start": "2026-11-01", "employment_end": "2027-10-31"})
    checks = [Problem("amount", "check_net", "internal", "review"),
              Problem("amount", "check_gross", "internal", "review")]
    assert held_reasons([outside, *checks], "da") == [
        "perioden ligger uden for den godkendte ansættelse (01.11.2026 - 31.10.2027)",
        "tallene på lønsedlen skal kontrolleres af en medarbejder"]
    assert held_reasons([Problem("payslip", "duplicate_payslip", "x",
                                 values={"reference": "R-2026-000004"})], "en") == [
        "the same payslip was sent before (R-2026-000004)"]
    # A sender not registered for the workplace learns only that, not whether the
    # person has an employment here; a mail that may be forged gets nothing.
    no_job = Problem("employment", "no_employment", "x", values={"cpr": "010190-xxxx",
                                                                  "cvr": "12345678"})
    unregistered = Problem("sender", "sender_not_allowed", "x", values={"sender": "a@b.dk"})
    assert held_reasons([unregistered, no_job], "da") == [
        "afsenderadressen er ikke registreret hos os for arbejdspladsen"]
    assert held_reasons([Problem("sender", "auth_failed", "x"), no_job], "da") is None

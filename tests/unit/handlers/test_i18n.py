"""The one text mechanism (handlers/i18n.py): every key in both languages with the same
placeholders, the Danish fallback, and the form's step table pointing at real texts."""

from datetime import date
from decimal import Decimal

import pytest

from handlers import desk_texts, i18n, intake
from handlers.i18n import Catalogue, catalogue, placeholders, render, text
from handlers.locale.form import FORM
from handlers.scheme import Scheme

ENTRIES = sorted(catalogue().items())


def test_every_section_is_in_the_catalogue() -> None:
    prefixes = {key.split(".", 1)[0] for key, _entry in ENTRIES}
    assert prefixes == set(i18n.SECTIONS)
    assert len(ENTRIES) > 400  # the mail, the desk, the form, the bot, the summaries


@pytest.mark.parametrize(("key", "entry"), ENTRIES, ids=[key for key, _ in ENTRIES])
def test_every_key_has_danish_and_english_with_the_same_placeholders(
        key: str, entry: dict[str, str]) -> None:
    assert set(entry) == {"da", "en"}, f"{key} has {sorted(entry)}"
    assert entry["da"].strip() and entry["en"].strip(), key
    assert placeholders(entry["da"]) == placeholders(entry["en"]), key


def test_text_fills_in_values_in_the_language_asked() -> None:
    assert text("form.contact", "da", name="Per") == (
        "Hvordan kontakter vi Per? Skriv telefonnummer eller e-mail.")
    assert text("form.contact", "en", name="Per") == (
        "How do we reach Per? Write a phone number or e-mail.")
    assert text("mail.missing_head", "en") == "Missing:"
    assert text("desk.page_of", "da", page=2, pages=3, count=41) == "Side 2 af 3 (41 krav)"


def test_a_missing_language_falls_back_to_danish_and_an_unknown_key_shows_itself() -> None:
    only_danish: Catalogue = {"hello": {"da": "Hej {name}"}}
    assert render(only_danish, "hello", "en", name="Lone") == "Hej Lone"
    assert render(only_danish, "nope", "en") == "nope"
    assert text("form.no_such_key", "en") == "form.no_such_key"
    assert text("no_such_section.key") == "no_such_section.key"


def test_placeholders_reads_the_names_a_template_fills_in() -> None:
    assert placeholders("{a} og {b:>3} men {{ikke}}") == {"a", "b"}
    assert placeholders("ingen") == set()


def test_the_desk_helper_is_a_thin_wrapper_over_the_same_catalogue() -> None:
    assert desk_texts.text("login_throttled", "en", minutes=5) == (
        "Too many failed attempts. Wait 5 minutes and try again.")
    assert desk_texts.text("paid", "da", desk_texts.STATUS) == "udbetalt"
    assert desk_texts.text("unknown_desk_word", "en") == "unknown_desk_word"
    assert text("claim_status.paid", "en") == desk_texts.text("paid", "en", desk_texts.STATUS)


def test_the_chat_texts_that_were_danish_only_have_english() -> None:
    from assistant.bot.telegram import COMMANDS, PRIVATE_ONLY, commands
    from assistant.bot.terminal import end_text

    assert COMMANDS[0] == ("start", "Start eller fortsæt")
    assert commands("en")[:3] == [("start", "Start or continue"), ("help", "Help"),
                                  ("back", "Previous question")]
    assert PRIVATE_ONLY == ("Skriv til mig i en privat chat, så hjælper jeg dig dér.\n"
                            "Please write to me in a private chat.")
    assert end_text("en", "7", interrupted=True) == (
        "(stopped - the form is saved; continue with: assistant chat --user 7)")
    assert end_text("da", "7") == (
        "(slut på input - skemaet er gemt; fortsæt med: assistant chat --user 7)")


def test_language_reads_a_stored_choice() -> None:
    assert i18n.language("en") == "en"
    assert i18n.language("da") == "da"
    assert i18n.language(None) == "da" and i18n.language("fr") == "da"


# -- the form's table of steps -------------------------------------------------------------

CTX = intake.Context(today=date(2026, 11, 24), pool_left=Decimal(40),
                     scheme=Scheme(max_hours=Decimal(8), max_months=6))


@pytest.mark.parametrize("step", intake.FORM_STEPS, ids=lambda s: s.key)
@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_step_asks_a_catalogue_text_with_its_placeholders_filled(
        step: intake.Step, lang: str) -> None:
    draft = intake.Draft(step=step.key, lang=lang,  # type: ignore[arg-type]
                         answers={"contact_name": "Per", "competences": ["Mødestabil"],
                                  "tasks": [{"title": "T", "frequency": "F", "area": None}],
                                  "_task": {"title": "Rydde op", "area": "library"}})
    key, values = step.question(draft, CTX)
    assert key in FORM
    assert placeholders(FORM[key][lang]) == set(values)  # type: ignore[index]
    shown = intake.prompt(draft, CTX)
    assert shown.step == step.key
    assert shown.text == FORM[key][lang].format(**values)  # type: ignore[index]


def test_the_step_table_gives_the_groups_the_optional_steps_and_the_order() -> None:
    assert intake.STEPS[:4] == ("location", "contact_name", "contact", "task_area")
    assert intake.STEPS[-1] == "review" and len(intake.STEPS) == len(intake.FORM_STEPS) + 1
    assert {"working_times", "internship", "requirements"} == intake.OPTIONAL
    assert intake.GROUPS["contact"] == ("contact_name", "contact")
    assert intake.GROUPS["tasks"] == ("task_area", "task_more")
    assert intake.GROUPS["criteria"] == ("crit_concrete", "crit_frees_staff")
    assert list(intake.GROUPS) == [g.key for g in intake.GROUP_TABLE]
    assert {s.group for s in intake.FORM_STEPS} == set(intake.GROUPS)
    assert all(f"group.{g}" in catalogue() for g in intake.GROUPS)


def test_the_scheme_feeds_the_questions_and_the_parsers() -> None:
    draft = intake.Draft(step="hours", lang="en")
    assert intake.prompt(draft, CTX).text.startswith("How many hours a week (1-8)?")
    assert [c.value for c in intake.prompt(draft, CTX).choices[0]] == ["2", "4", "6", "8"]
    refused = intake.answer(draft, CTX, text="9")
    assert refused.error and refused.notes == [
        "Hours per week must be a number from 1 to 8 (you wrote 9). The scheme covers at "
        "most 8 hours a week."]
    draft = intake.Draft(step="duration", lang="da")
    assert intake.prompt(draft, CTX).text == "Hvor mange måneder skal ansættelsen vare (1-6)?"
    assert intake.answer(draft, CTX, text="7").notes == [
        "Varigheden skal være 1 til 6 måneder (du skrev 7). Ansættelsen kan forlænges senere."]
    assert not intake.answer(draft, CTX, text="6").error and draft.answers["duration"] == 6


def test_skip_stores_the_steps_empty_answer_and_refuses_a_required_step() -> None:
    draft = intake.Draft(step="requirements")
    assert not intake.skip(draft, CTX).error
    assert draft.answers["requirements"] == [] and draft.step == "review"
    draft.answers["requirements"].append("gdpr_course")  # the empty value is not shared
    assert intake.STEP["requirements"].empty == []
    refused = intake.skip(intake.Draft(step="hours", lang="en"), CTX)
    assert refused.error and refused.notes == [
        "This question must be answered; it cannot be skipped."]

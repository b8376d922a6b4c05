"""The form engine without any transport: steps, validation, /back, review edits."""

from datetime import date
from decimal import Decimal

import pytest

from handlers import intake
from handlers.intake import Context, Draft

TODAY = date(2026, 11, 24)
CTX = Context(today=TODAY, pool_left=Decimal(96), workplace_name="Albertslund Bibliotek",
              cvr="65113015", manager_name="Lone Hansen")

# (text, choice) per step, in order, for a complete form with one task.
FULL = [
    ("Hovedbiblioteket", None),  # location
    ("Per Jensen", None),  # contact_name
    ("per@example.dk", None),  # contact
    (None, "library"),  # task_area
    (None, "ex:0"),  # task_title -> "Sætte bøger på plads"
    (None, "f:0"),  # task_frequency -> Dagligt
    (None, "nej"),  # task_more
    (None, "ja"), (None, "ja"), (None, "nej"), (None, "ja"), (None, "ja"),  # criteria
    (None, "c:1"), (None, "done"),  # competences -> Mødestabil
    ("7,5", None),  # hours
    ("tirsdag og torsdag 9-13", None),  # working_times
    ("04.01.2027", None),  # start
    (None, "6"),  # duration
    ("Ansættelsen er midlertidig, fordi opgaven er afgrænset til oprydning", None),
    (None, "2"),  # internship
    (None, "r:gdpr_course"), (None, "done"),  # requirements
]


def run(draft: Draft, answers: list[tuple[str | None, str | None]]) -> Draft:
    for text, choice in answers:
        result = intake.answer(draft, CTX, text=text, choice=choice)
        assert not result.error, (draft.step, text, choice, result.notes)
    return draft


def test_a_full_form_reaches_the_review_and_makes_the_job() -> None:
    draft = run(Draft(), FULL)
    assert draft.step == "review"
    job = intake.to_job(draft, CTX)
    assert job.location == "Hovedbiblioteket" and job.contact == "per@example.dk"
    assert [(t.title, t.frequency, t.area) for t in job.tasks] == [
        ("Sætte bøger på plads", "Dagligt", "library")]
    assert job.criteria["tolerates_absence"] is False and job.criteria["concrete"] is True
    assert job.competences == ("Mødestabil",)
    assert job.hours_per_week == Decimal("7.5") and job.start == date(2027, 1, 4)
    assert job.duration_months == 6 and job.internship_weeks == 2
    assert job.requirements == ("gdpr_course",)
    review = intake.prompt(draft, CTX)
    assert "3. Opgaver: Sætte bøger på plads (Dagligt)" in review.text
    assert "6. Timer pr. uge: 7,5" in review.text
    assert review.choices[-1][0].value == "submit"
    assert intake.answer(draft, CTX, choice="submit").submitted


def test_draft_survives_json() -> None:
    draft = run(Draft(), FULL[:7])
    copy = Draft.from_dict(draft.as_dict())
    assert copy == draft and copy.step == "crit_concrete"


@pytest.mark.parametrize(("step_index", "text", "choice", "says"), [
    (0, "", None, "tomt"),
    (2, "ring til Per", None, "telefonnummer"),
    (4, "   ", None, "tomt"),  # an empty task
    (14, "14", None, "1 til 10"),
    (14, "0,5", None, "1 til 10"),
    (14, "ti", None, "1 til 10"),
    (16, "01.01.2020", None, "overstået"),
    (16, "i morgen", None, "dato"),
    (17, "18", None, "1 til 12"),
    (18, TEMPLATE_TEXT := intake.TEMPLATE["da"], None, "xxx"),
    (19, "6", None, "2-4 uger"),
])
def test_wrong_answers_are_refused_with_what_to_fix(step_index, text, choice, says) -> None:
    draft = run(Draft(), FULL[:step_index] if step_index != 4 else FULL[:3] + [("x", "own")])
    step = draft.step
    result = intake.answer(draft, CTX, text=text, choice=choice)
    assert result.error and draft.step == step
    assert says in result.notes[0]


def test_hours_over_the_pool_warn_first_come_first_served() -> None:
    ctx = Context(today=TODAY, pool_left=Decimal(4))
    draft = run(Draft(), FULL[:14])
    result = intake.answer(draft, ctx, text="8")
    assert not result.error and draft.answers["hours"] == "8"
    assert "4 timer tilbage" in result.notes[0] and "først til mølle" in result.notes[0]


def test_a_no_to_a_criterion_gets_a_gentle_explanation() -> None:
    draft = run(Draft(), FULL[:9])
    result = intake.answer(draft, CTX, choice="nej")
    assert not result.error and "ikke afgørende" in result.notes[0]
    assert draft.answers["criteria"]["tolerates_absence"] is False


def test_typed_task_loop_and_back() -> None:
    draft = run(Draft(), FULL[:3])
    run(draft, [("Vande planter", None), ("Ugentligt", None), (None, "ja"),
                (None, "own"), ("Tømme opvaskemaskine", None), (None, "f:0")])
    assert [t["title"] for t in draft.answers["tasks"]] == ["Vande planter",
                                                            "Tømme opvaskemaskine"]
    assert draft.step == "task_more"
    intake.back(draft)
    assert draft.step == "task_frequency"
    intake.back(intake.back(draft))
    assert draft.step == "task_area"


def test_back_then_a_new_answer_replaces_the_old() -> None:
    draft = run(Draft(), FULL[:2])
    assert draft.step == "contact"
    intake.back(draft)
    assert draft.step == "contact_name"
    run(draft, [("Anne Holm", None)])
    assert draft.answers["contact_name"] == "Anne Holm" and draft.step == "contact"


def test_change_one_answer_from_the_review_and_return() -> None:
    draft = run(Draft(), FULL)
    intake.answer(draft, CTX, choice="edit:hours")
    assert draft.step == "hours" and draft.editing
    run(draft, [("10", None)])
    assert draft.step == "review" and draft.answers["hours"] == "10"
    assert draft.answers["duration"] == 6  # nothing else asked again
    intake.answer(draft, CTX, choice="edit:tasks")
    run(draft, [("Vande planter", None), (None, "f:2"), (None, "nej")])
    assert draft.step == "review"
    assert draft.answers["tasks"] == [{"title": "Vande planter", "frequency": "Ugentligt",
                                       "area": None}]


def test_skip_only_optional_steps() -> None:
    draft = run(Draft(), FULL[:15])
    assert draft.step == "working_times"
    assert not intake.skip(draft, CTX).error and draft.answers["working_times"] == ""
    assert draft.step == "start"
    result = intake.skip(draft, CTX)
    assert result.error and draft.step == "start"


def test_competences_toggle_and_own() -> None:
    draft = run(Draft(), FULL[:12])
    assert draft.step == "competences"
    assert intake.answer(draft, CTX, choice="done").error  # at least one
    run(draft, [(None, "c:0"), (None, "c:0"), ("Godt humør, Mødestabil", None)])
    assert draft.answers["competences"] == ["Godt humør", "Mødestabil"]
    run(draft, [(None, "c:1")])  # the button for Mødestabil takes it off again
    assert draft.answers["competences"] == ["Godt humør"]
    run(draft, [(None, "c:1")])
    prompt = intake.prompt(draft, CTX)
    assert "Valgt: Godt humør, Mødestabil" in prompt.text


def test_english_prompts() -> None:
    draft = Draft(lang="en")
    assert intake.prompt(draft, CTX).text.startswith("Where will the job be?")
    draft = run(Draft(lang="en"), FULL[:14])
    result = intake.answer(draft, CTX, text="14")
    assert "from 1 to 10" in result.notes[0]


def test_every_button_fits_telegram_callback_data() -> None:
    draft = Draft()
    seen = set()
    for text, choice in FULL:
        for row in intake.prompt(draft, CTX).choices:
            for button in row:
                assert len(f"{2**31}:{draft.step}:{button.value}".encode()) <= 64
        seen.add(draft.step)
        intake.answer(draft, CTX, text=text, choice=choice)
    assert seen >= set(intake.STEPS) - {"review"}


@pytest.mark.parametrize(("prefix", "choice"), [
    (4, "ex:99"), (4, "ex:x"), (5, "f:99"), (5, "f:-1"), (12, "c:99"), (12, "c:"),
    (3, "nowhere"), (20, "r:cpr"), (22, "edit:cpr"),
])
def test_forged_button_values_are_refused_not_crashed(prefix, choice) -> None:
    draft = run(Draft(), FULL[:prefix])
    def given() -> str:  # an empty list a multi-select step starts with is no answer
        return repr({key: value for key, value in draft.answers.items() if value != []})

    step, answers = draft.step, given()
    result = intake.answer(draft, CTX, choice=choice)
    assert result.error and not result.submitted and result.notes
    assert draft.step == step and given() == answers


def test_back_out_of_changing_the_tasks_cannot_submit_an_empty_task_list() -> None:
    draft = run(Draft(), FULL)
    intake.answer(draft, CTX, choice="edit:tasks")
    intake.back(draft)
    assert draft.step == "review" and draft.answers["tasks"] == []
    result = intake.answer(draft, CTX, choice="submit")
    assert result.error and not result.submitted
    assert draft.step == "task_area" and draft.editing
    run(draft, [("Vande planter", None), (None, "f:2"), (None, "nej")])
    assert draft.step == "review"
    assert intake.answer(draft, CTX, choice="submit").submitted


def test_a_start_that_passed_while_the_draft_waited_is_asked_again() -> None:
    draft = run(Draft(), FULL)
    later = Context(today=date(2027, 3, 1), pool_left=Decimal(96))
    result = intake.answer(draft, later, choice="submit")
    assert not result.submitted and draft.step == "start"
    assert "overstået" in result.notes[0]
    run(draft, [])
    assert intake.answer(draft, later, text="01.04.2027").error is False
    assert draft.step == "review" and draft.answers["start"] == "2027-04-01"
    assert intake.answer(draft, later, choice="submit").submitted


@pytest.mark.parametrize(("prefix", "text", "refused"), [
    (1, "Mette Hansen 010190-1234", True),  # contact name with a CPR
    (2, "0101901234", True),  # a CPR instead of a phone number
    (2, "+45 12 34 56 78", False),
    (2, "4512345678", False),  # 10 digits that are no date: a phone number
    (3, "Følge borger 3112851234 til møder", True),  # typed task
])
def test_a_cpr_number_typed_by_mistake_is_refused(prefix, text, refused) -> None:
    draft = run(Draft(), FULL[:prefix])
    result = intake.answer(draft, CTX, text=text)
    assert result.error is refused
    if refused:
        assert "cpr-nummer" in result.notes[0] and text not in repr(draft.answers)

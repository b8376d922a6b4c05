"""The texts of handlers.followup, handlers.onboarding and handlers.catalogue come from
catalogue sections (handlers/locale/followup.py, onboarding.py, catalogue.py), and moving
them there changed no word: each reminder's subject and body, recorded from the code
before the move, in both languages. The task catalogue's example tasks have English
buttons, while what is stored stays the pamphlet's Danish."""

import inspect
import re
from datetime import date
from decimal import Decimal as D

import pytest

from handlers import catalogue, followup, intake, onboarding
from handlers.followup import EmploymentFacts, FollowupRules, MonthFacts, QueuedIntake, due
from handlers.i18n import text
from handlers.locale.catalogue import TASK_EXAMPLES
from handlers.scheme import Scheme

FACTS = EmploymentFacts(
    id=3, workplace="Albertslund Bibliotek", employee_name="Anne Marie Hansen",
    cpr_masked="010190-xxxx", hours_per_week=D("7.5"), start=date(2026, 6, 1),
    last_day=date(2026, 12, 20), active=True, contact="loen@bib.dk", claimed=(),
    sick_hours=D("45"))


def reminders(lang: str) -> dict[str, followup.Reminder]:
    found = due(date(2026, 12, 10), [FACTS], [QueuedIntake(7, "Skolen", D("4.5"))], D("12.5"),
                MonthFacts(date(2026, 11, 1), 3, D("12345.5"), 1, 0),
                FollowupRules(sick_day_marks=(20,)), lang)  # type: ignore[arg-type]
    return {r.kind: r for r in found}


# Recorded from handlers/followup.py as it was before its texts moved to the catalogue.
GOLDEN = {
    ('da', 'missing_payslip'): (
        (
         'Påmindelse: lønseddel for Anne (010190-xxxx) mangler'
        ),
        (
         'Hej\n'
         '\n'
         'Vi har endnu ikke modtaget lønsedlen for Anne (010190-xxxx) for perioden '
         '01.11.2026 - 30.11.2026 hos Albertslund Bibliotek.\n'
         '\n'
         'Send lønsedlen som PDF fra lønsystemet som vedhæftet fil i et svar på denne '
         'mail, og skriv, hvad der søges dækning af (fx løn, ATP, pension, feriepenge).\n'
         '\n'
         'Hvis ansættelsen er stoppet, så giv os besked.\n'
         '\n'
         'Venlig hilsen\n'
         'Jobcentret\n'
        )),
    ('da', 'employment_ending'): (
        (
         'Ansættelse slutter 20.12.2026: Anne Marie Hansen (010190-xxxx) hos '
         'Albertslund Bibliotek'
        ),
        (
         'Ansættelsen for Anne Marie Hansen (010190-xxxx) hos Albertslund Bibliotek '
         'slutter 20.12.2026 (om 10 dage).\n'
         'Forlæng den (med tillæg), eller lad den slutte; puljens timer bliver så '
         'ledige.\n'
        )),
    ('da', 'sick_days'): (
        (
         'Sygefravær 30 dage: Anne Marie Hansen (010190-xxxx), Albertslund Bibliotek'
        ),
        (
         'Anne Marie Hansen (010190-xxxx), Albertslund Bibliotek har nu 30 sygedage i '
         'ansættelsen (grænse 20). Refusion dækker sygdom i op til 30 dage; derefter '
         'skal arbejdsgiveren søge sygedagpengerefusion.\n'
        )),
    ('da', 'no_claims'): (
        (
         'Ingen refusionskrav i 2 måneder: Anne Marie Hansen (010190-xxxx), Albertslund '
         'Bibliotek'
        ),
        (
         'Der er ikke modtaget lønsedler for Anne Marie Hansen (010190-xxxx), '
         'Albertslund Bibliotek for 10.2026, 11.2026. Er ansættelsen i gang?\n'
        )),
    ('da', 'pool_room'): (
        (
         'Plads i puljen til jobbeskrivelse 7 (Skolen)'
        ),
        (
         'Puljen har nu 12,5 ledige timer om ugen. Først i køen er jobbeskrivelse 7 fra '
         'Skolen (4,5 timer om ugen).\n'
        )),
    ('da', 'economy_month'): (
        (
         'Refusion 11.2026: 3 krav godkendt, kr. 12.345,50'
        ),
        (
         'Refusionskrav for 11.2026:\n'
         '\n'
         '  Godkendt til udbetaling      3   kr. 12.345,50\n'
         '  Til vurdering (åbne)         1\n'
         '  Mangler oplysninger          0\n'
         '\n'
         'Eksporten: assistant export --month 2026-11\n'
        )),
    ('en', 'missing_payslip'): (
        (
         'Reminder: payslip for Anne (010190-xxxx) missing'
        ),
        (
         'Hello\n'
         '\n'
         'We have not yet received the payslip for Anne (010190-xxxx) for the period '
         '2026-11-01 - 2026-11-30 at Albertslund Bibliotek.\n'
         '\n'
         'Please reply with the payslip as a PDF from the payroll system, and say what '
         'you claim (e.g. wage, ATP, pension, holiday pay).\n'
         '\n'
         'If the employment has stopped, please let us know.\n'
         '\n'
         'Kind regards\n'
         'The jobcentre\n'
        )),
    ('en', 'employment_ending'): (
        (
         'Employment ends 2026-12-20: Anne Marie Hansen (010190-xxxx) at Albertslund '
         'Bibliotek'
        ),
        (
         'The employment of Anne Marie Hansen (010190-xxxx) at Albertslund Bibliotek '
         'ends 2026-12-20 (in 10 days).\n'
         'Extend it (with an addendum), or let it end; its hours return to the pool.\n'
        )),
    ('en', 'sick_days'): (
        (
         'Sick leave 30 days: Anne Marie Hansen (010190-xxxx), Albertslund Bibliotek'
        ),
        (
         'Anne Marie Hansen (010190-xxxx), Albertslund Bibliotek now has 30 sick days '
         'in the employment (mark 20). The refund covers up to 30 days of sickness; '
         'after that the employer claims sickness benefit refund.\n'
        )),
    ('en', 'no_claims'): (
        (
         'No refund claims for 2 months: Anne Marie Hansen (010190-xxxx), Albertslund '
         'Bibliotek'
        ),
        (
         'No payslips have arrived for Anne Marie Hansen (010190-xxxx), Albertslund '
         'Bibliotek for 10.2026, 11.2026. Is the employment going on?\n'
        )),
    ('en', 'pool_room'): (
        (
         'Room in the pool for job description 7 (Skolen)'
        ),
        (
         'The pool now has 12.5 free hours a week. First in the queue is job '
         'description 7 from Skolen (4.5 hours a week).\n'
        )),
    ('en', 'economy_month'): (
        (
         'Refunds 11.2026: 3 claims validated, DKK 12,345.50'
        ),
        (
         'Refund claims for 11.2026:\n'
         '\n'
         '  Validated for payment        3   DKK 12,345.50\n'
         '  Held for review (open)       1\n'
         '  Incomplete                   0\n'
         '\n'
         'The export: assistant export --month 2026-11\n'
        )),
}


@pytest.mark.parametrize(("lang", "kind"), list(GOLDEN), ids=lambda v: str(v))
def test_every_reminder_reads_word_for_word_as_before(lang: str, kind: str) -> None:
    reminder = reminders(lang)[kind]
    assert (reminder.subject, reminder.body) == GOLDEN[(lang, kind)]


def test_every_kind_of_reminder_is_recorded_in_both_languages() -> None:
    assert set(reminders("da")) == set(reminders("en")) == {k for _l, k in GOLDEN}
    assert len(GOLDEN) == 12


def test_the_economy_summary_aligns_its_numbers_in_both_languages() -> None:
    columns = set()
    for lang in ("da", "en"):
        rows = reminders(lang)["economy_month"].body.splitlines()[2:5]
        columns |= {row.index(digit) for row, digit in zip(rows, "310", strict=True)}
    assert columns == {31}


def test_the_modules_write_no_text_of_their_own_by_language() -> None:
    """No ``if da else`` / ``if lang == "da"`` pairs left: every word is looked up."""
    for module in (followup, onboarding, catalogue):
        source = inspect.getsource(module)
        assert not re.search(r"""if (da|lang == ["']da["'])\b""", source), module.__name__


def test_the_sections_are_in_the_one_catalogue() -> None:
    assert text("followup.sick.subject", "en", days=21, who="X") == "Sick leave 21 days: X"
    assert text("onboarding.no_tasks", "da") == "ingen opgaver angivet"
    assert text("task_example.library.shelving", "en") == "Shelving books"
    assert text("area.library", "en") == "Library worker"
    assert text("frequency.daily", "da") == "Dagligt"
    assert text("competence.punctual", "en") == "Punctual"


# -- the task catalogue ----------------------------------------------------------------------

# The pamphlet's example tasks, as stored before they moved to the catalogue.
PAMPHLET = {
    "office": ("Scanning af dokumenter", "Journalisering", "Let service og postomdeling"),
    "daycare": ("Opfyldning af varer", "Lagerlogistik", "Let rengøring"),
    "kitchen": ("Opvask", "Anretning og oprydning i køkkenet", "Rengøring af fællesarealer"),
    "care": ("Gåture og samtaler med beboere", "Højtlæsning", "Hjælp ved aktiviteter"),
    "library": ("Sætte bøger på plads", "Klargøring af materialer", "Oprydning i læsesalen"),
    "outdoor": ("Affaldsindsamling", "Let vedligehold af grønne områder",
                "Klargøring af redskaber"),
    "it": ("Klargøring af pc'er", "Hjælp til brugere med login", "Opsætning af udstyr"),
    "communication": ("Nyhedsbreve", "Opslag på sociale medier", "Opdatering af hjemmeside"),
    "data": ("Indsamling af data", "Enkle analyser", "Opdatering af dashboards"),
    "economy": ("Afstemning", "Fakturering", "Bilagshåndtering"),
}


def test_the_stored_examples_are_the_pamphlets_in_its_order() -> None:
    assert {a.key: a.examples for a in catalogue.AREAS} == PAMPHLET
    assert [a.key for a in catalogue.AREAS] == list(PAMPHLET)
    assert catalogue.COMPETENCES[1] == {"da": "Mødestabil", "en": "Punctual"}
    assert catalogue.FREQUENCIES[0] == {"da": "Dagligt", "en": "Daily"}


def test_every_example_has_its_own_english_text_and_belongs_to_an_area() -> None:
    assert sum(len(a.example_keys) for a in catalogue.AREAS) == len(TASK_EXAMPLES) == 30
    for a in catalogue.AREAS:
        english = a.labels("en")
        assert len(set(english)) == 3 and not set(english) & set(a.examples), a.key
        assert a.labels("da") == a.examples


def test_label_translates_a_stored_example_and_leaves_a_typed_title_alone() -> None:
    library = catalogue.area("library")
    assert library is not None
    assert library.label("Oprydning i læsesalen", "en") == "Tidying the reading room"
    assert library.label("Oprydning i læsesalen", "da") == "Oprydning i læsesalen"
    assert library.label("Rydde op i kælderen", "en") == "Rydde op i kælderen"


CTX = intake.Context(today=date(2026, 11, 24), pool_left=D(40), scheme=Scheme())


@pytest.mark.parametrize(("lang", "button", "asked", "review"), [
    ("en", "Shelving books", 'When or how often is "Shelving books" done?',
     "Shelving books (Daily)"),
    ("da", "Sætte bøger på plads", 'Hvornår eller hvor ofte skal "Sætte bøger på plads" løses?',
     "Sætte bøger på plads (Dagligt)"),
])
def test_a_manager_reads_the_examples_in_their_language_and_the_danish_is_stored(
        lang: str, button: str, asked: str, review: str) -> None:
    draft = intake.Draft(step="task_area", lang=lang)  # type: ignore[arg-type]
    assert not intake.answer(draft, CTX, choice="library").error
    shown = intake.prompt(draft, CTX)
    assert shown.step == "task_title" and shown.choices[0][0].label == button
    assert not intake.answer(draft, CTX, choice="ex:0").error
    assert intake.prompt(draft, CTX).text.startswith(asked)
    assert not intake.answer(draft, CTX, choice="f:0").error
    assert draft.answers["tasks"][0]["title"] == "Sætte bøger på plads"
    tasks = next(g for g in intake.GROUP_TABLE if g.key == "tasks")
    assert tasks.show(draft.answers, lang) == review

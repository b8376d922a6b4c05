"""The one data-access path (assistant.repository.Repository) on SQLite and PostgreSQL:
named queries on the caller's session, the caller owns the transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest

from assistant.db import session
from assistant.intakes import IntakeStore
from assistant.models import ChatUser, Claim, Intake, OutboundMessage
from assistant.repository import Repository
from handlers.parts import Part
from handlers.register import RegisterError

CVR = "65113015"
CPR = "0101901234"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def repo_store(store):
    store.add_workplace(CVR, "Albertslund Kommune", ["albertslund.dk"])
    return store


def inbound(store, n: int, message_id: str | None = None) -> int:
    raw = f"From: lon@albertslund.dk\nSubject: {n}\n\nHej {n}\n".encode()
    inbound_id, created = store.save_inbound(raw, "smtp", "lon@albertslund.dk",
                                             "jobcenter@kommune.example", message_id)
    assert created
    return inbound_id


def claim(db, inbound_id: int, part: str, status: str, sha: str | None = None,
          period: date = date(2026, 10, 1)) -> Claim:
    row = Claim(inbound_id=inbound_id, source="a.pdf", part=part, status=status,
                payslip_sha256=sha, period_start=period, period_end=period + timedelta(29))
    db.add(row)
    db.flush()
    return row


def test_workplace_by_cvr_reads_the_cvr_however_it_is_written(repo_store):
    with session(repo_store.engine) as db:
        repo = Repository(db)
        found = [repo.workplace_by_cvr(text) for text in
                 (CVR, "65 11 30 15", " 65-11-30-15 ", "DK65113015")]
        assert {w.name if w else None for w in found} == {"Albertslund Kommune"}
        assert repo.workplace_by_cvr("12345674") is None
        assert repo.sender_patterns(found[0].id) == ["albertslund.dk"]
    # The invite path used to strip only spaces: a dashed CVR found no workplace.
    assert IntakeStore(repo_store.engine).create_invite("65-11-30-15", "Lone",
                                                        timedelta(hours=1))


def test_a_workplace_and_its_senders_come_in_one_query(repo_store):
    repo_store.add_workplace(CVR, "Albertslund Kommune", ["lon@albertslund.dk", "aaa.dk"])
    repo_store.add_workplace("12345674", "Uden Afsendere ApS", [])
    with session(repo_store.engine) as db:
        repo = Repository(db)
        workplace, senders = repo.workplace_and_senders("65 11 30 15")
        assert workplace is not None and workplace.name == "Albertslund Kommune"
        assert senders == ["aaa.dk", "albertslund.dk", "lon@albertslund.dk"]
        alone, none = repo.workplace_and_senders("12345674")
        assert alone is not None and alone.name == "Uden Afsendere ApS" and none == []
        assert repo.workplace_and_senders("11111111") == (None, [])


def test_the_caller_owns_the_transaction(repo_store):
    """Nothing a repository method did survives when the use case fails after it."""
    limits = repo_store.limits
    with pytest.raises(RuntimeError), session(repo_store.engine) as db:
        Repository(db, limits).add_employment(CPR, "Mette", CVR, D(4), date(2026, 1, 1),
                                              date(2026, 6, 30), "trial")
        raise RuntimeError("the next step of the use case failed")
    assert repo_store.employments() == []
    with session(repo_store.engine) as db:
        repo = Repository(db, limits)
        repo.add_employment(CPR, "Mette", CVR, D(4), date(2026, 1, 1), date(2026, 6, 30),
                            "trial")
        # Seen inside the same transaction before the commit: the pool counts it.
        assert repo.pool_status(date(2026, 3, 1)).approved_hours == D(4)
    assert [e.citizen_name for e in repo_store.employments()] == ["Mette"]


def test_register_refusals_come_from_the_rules(repo_store):
    with session(repo_store.engine) as db:
        repo = Repository(db, repo_store.limits)
        with pytest.raises(RegisterError, match="no workplace with CVR 12345674"):
            repo.add_employment(CPR, "Mette", "12345674", D(4), date(2026, 1, 1),
                                date(2026, 6, 30), "trial")
        with pytest.raises(RegisterError, match="no employment with id 999"):
            repo.end_employment(999, date(2026, 1, 1))


def test_claims_by_reference_period_and_status(repo_store):
    first, second = inbound(repo_store, 1), inbound(repo_store, 2)
    with session(repo_store.engine) as db:
        a = claim(db, first, "body", "validated")
        b = claim(db, second, "body", "needs_review", period=date(2026, 11, 1))
        refs = a.reference, b.reference
    with session(repo_store.engine) as db:
        repo = Repository(db)
        assert repo.claim_by_reference(f"  {refs[0].lower()} ").id == a.id
        assert repo.claim_by_reference("R-1999-000001") is None
        assert [c.reference for c in repo.claims()] == list(refs)
        assert [c.reference for c in repo.claims(newest_first=True, limit=1)] == [refs[1]]
        november = {"period_from": date(2026, 11, 1), "period_before": date(2026, 12, 1)}
        assert [c.reference for c in repo.claims(**november)] == [refs[1]]
        assert repo.count_claims(status="validated") == 1
        assert repo.count_claims(**november, status="validated") == 0


def test_the_same_payslip_is_found_in_another_mail_even_after_a_decision(repo_store):
    first, second = inbound(repo_store, 1), inbound(repo_store, 2)
    part = Part(f"pdf:0:{'a' * 64}", "a" * 64, None)
    with session(repo_store.engine) as db:
        held = claim(db, first, part.key, "needs_review", part.sha256)
        rejected = claim(db, first, "pdf:1:" + "b" * 64, "rejected", "b" * 64)
        reference = held.reference
    with session(repo_store.engine) as db:
        repo = Repository(db)
        assert repo.same_payslip(part, second) == reference
        assert repo.same_payslip(part, first) is None  # its own mail: not a copy
        # Rejected or paid, the same PDF again goes to a person (a paid one left out
        # was validated again and would have been paid twice).
        assert repo.same_payslip(Part("pdf:0:" + "b" * 64, "b" * 64, None), second) \
            == rejected.reference
        assert repo.same_payslip(Part("body", None, None), second) is None


def test_replies_in_the_last_hour_count_only_replies_to_that_address(repo_store):
    with session(repo_store.engine) as db:
        for n, (kind, to, minutes) in enumerate([("reply", "a@x.dk", 10), ("reply", "a@x.dk", 59),
                                                 ("reply", "a@x.dk", 61), ("summary", "a@x.dk", 5),
                                                 ("reply", "b@x.dk", 5)]):
            db.add(OutboundMessage(kind=kind, recipient=to, subject="s", raw=b"x",
                                   dedup_key=f"k{n}", created_at=NOW - timedelta(minutes=minutes)))
    with session(repo_store.engine) as db:
        assert Repository(db).replies_last_hour("a@x.dk", NOW) == 2
        assert Repository(db).replies_last_hour("c@x.dk", NOW) == 0


def test_intakes_first_come_first_served_drafts_last_on_both_backends(repo_store):
    with session(repo_store.engine) as db:
        repo = Repository(db)
        workplace = repo.workplace_by_cvr(CVR)
        user = ChatUser(channel="terminal", user_id="u", workplace_id=workplace.id,
                        manager_name="Lone")
        db.add(user)
        db.flush()
        times = [None, NOW, NOW - timedelta(hours=1), NOW]
        for n, at in enumerate(times):
            db.add(Intake(chat_user_id=user.id, workplace_id=workplace.id, manager_name="Lone",
                          status="draft" if at is None else "submitted", submitted_at=at,
                          job={"hours_per_week": str(n + 1)} if at else None))
    with session(repo_store.engine) as db:
        repo = Repository(db)
        assert [i.id for i in repo.intakes()] == [3, 2, 4, 1]
        assert [i.id for i in repo.intakes(status="submitted")] == [3, 2, 4]
        assert repo.intake(99) is None


def test_a_stored_message_is_found_by_number_or_message_id(repo_store):
    first = inbound(repo_store, 1, "<abc@firma.dk>")
    with session(repo_store.engine) as db:
        repo = Repository(db)
        assert repo.find_inbound(str(first)) == first
        assert repo.find_inbound("abc@firma.dk") == first
        assert repo.find_inbound("<abc@firma.dk>") == first
        assert repo.find_inbound("nope@firma.dk") is None


def test_an_invite_is_used_once(repo_store):
    with session(repo_store.engine) as db:
        Repository(db).add_invite("h" * 64, "65 11 30 15", "Lone", NOW + timedelta(hours=1))
    with session(repo_store.engine) as db:
        invite, won = Repository(db).use_invite("h" * 64, "terminal:u", NOW)
        assert won and invite.used_by == "terminal:u"
    with session(repo_store.engine) as db:
        invite, won = Repository(db).use_invite("h" * 64, "terminal:v", NOW)
        assert not won and invite.used_by == "terminal:u"
        assert Repository(db).use_invite("x" * 64, "terminal:v", NOW) == (None, False)

"""Benchmark: N managers at once fill in the whole task-and-competence form in Telegram.

    .venv/bin/python bench/bot.py                  # 50 managers, ~1 s between answers
    .venv/bin/python bench/bot.py --think 0        # saturation: answer at once
    .venv/bin/python bench/bot.py --managers 200

Everything real except Telegram itself: the real ``TelegramBot`` (python-telegram-bot
polling over HTTP) and ``IntakeService`` on a fresh, migrated SQLite database in a temp
directory, against the fake Bot API server of the tests on loopback. Each manager is a
thread that gets an invite, sends ``/start TOKEN``, answers every question of the form
(typing or pressing the offered buttons, like tests/integration/intake_script.FULL_FORM)
and submits, waiting for the bot's answer and then ``--think`` seconds (randomly 0.5x-1.5x, seeded)
before the next step, as a person would. With ``--think 0`` every manager answers at
once, so the latency is mostly queueing: managers / throughput.

Reported: updates handled and replies per second, and per update the reply latency,
from the moment the fake server makes the update available to getUpdates until the
bot's first reply (and its last reply: a step can answer with several messages, e.g.
a correction and the question again) arrives at the server: p50/p99/max.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.bot.service import IntakeService  # noqa: E402
from assistant.bot.telegram import TelegramBot  # noqa: E402
from assistant.config import Config  # noqa: E402
from assistant.db import make_engine, upgrade  # noqa: E402
from assistant.store import Store  # noqa: E402
from tests.integration.fake_bot_api import FakeBotApi, Sent  # noqa: E402
from tests.integration.intake_script import FULL_FORM, invite, setup_workplace  # noqa: E402

TOKEN = "123456:BENCH"
STEP_TIMEOUT = 30.0


class Handled:
    """How many updates per user the bot has completely handled, so a manager knows
    when every reply to what it sent is out. Fed by the bot's process."""

    def __init__(self) -> None:
        self.handled: dict[int, int] = {}
        self.changed = threading.Condition()

    def count(self, user_id: int) -> None:
        with self.changed:
            self.handled[user_id] = self.handled.get(user_id, 0) + 1
            self.changed.notify_all()

    def follow(self, queue: multiprocessing.Queue) -> None:
        while (user_id := queue.get()) is not None:
            self.count(user_id)


class CountingBot(TelegramBot):
    """The real bot, telling the benchmark each update it has completely handled."""

    def __init__(self, done: multiprocessing.Queue, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.done = done

    async def _on_message(self, update, context) -> None:
        try:
            await super()._on_message(update, context)
        finally:
            self.done.put(update.effective_user.id)

    async def _on_button(self, update, context) -> None:
        try:
            await super()._on_button(update, context)
        finally:
            self.done.put(update.callback_query.from_user.id)


def run_bot(url: str, base_url: str, done: multiprocessing.Queue,
            ready: multiprocessing.Event, stop: multiprocessing.Event) -> None:
    """The bot's process: like ``assistant run``, apart from Telegram (the benchmark)."""
    engine = make_engine(url)
    service = IntakeService(engine, Config(), clock=lambda: datetime(2026, 11, 24, 10, tzinfo=UTC))
    bot = CountingBot(done, service, TOKEN, base_url, poll_timeout=10, outbox_seconds=2.0)
    if not bot.start():
        print(f"the bot did not start: {bot.failed}", file=sys.stderr)
        return
    ready.set()
    stop.wait()
    bot.stop()
    engine.dispose()


class Manager(threading.Thread):
    def __init__(self, api: FakeBotApi, bot: Handled, user_id: int, token: str,
                 progress: callable, think: float = 0.0) -> None:
        super().__init__(name=f"manager-{user_id}", daemon=True)
        self.api, self.bot, self.user_id, self.token = api, bot, user_id, token
        self.progress = progress
        self.think = think
        self.random = random.Random(user_id)
        self.updates = 0
        self.seen = 0
        self.first: list[float] = []  # seconds, per update
        self.last: list[float] = []
        self.replies = 0
        self.labels: list[str] = []  # per update: what was sent
        self.error: str | None = None
        self.final: list[Sent] = []

    def run(self) -> None:
        try:
            if self.think:  # people do not all open the invite in the same millisecond
                time.sleep(self.think * self.random.uniform(0.0, 2.0))
            self.labels.append("/start TOKEN")
            self.step(self.api.user_says(self.user_id, f"/start {self.token}"))
            self.progress()
            for kind, value in [*FULL_FORM, ("press", "submit")]:
                if self.think:
                    time.sleep(self.think * self.random.uniform(0.5, 1.5))
                self.labels.append(f"{kind} {value[:20]}")
                if kind == "text":
                    self.final = self.step(self.api.user_says(self.user_id, value))
                else:
                    sent, data = self.button(value)
                    self.final = self.step(self.api.user_presses(self.user_id, sent, data))
                self.progress()
            if not any("er sendt til jobcentret" in s.text for s in self.final):
                self.error = f"not submitted: {[s.text[:60] for s in self.final]}"
        except Exception as exc:  # noqa: BLE001 - reported at the end
            self.error = f"{type(exc).__name__}: {exc}"

    def button(self, value: str) -> tuple[Sent, str]:
        for sent in reversed(self.api.to(self.user_id)):
            for row in sent.buttons:
                for _label, data in row:
                    if data.endswith(f":{value}"):
                        return sent, data
        raise AssertionError(f"no button {value!r}")

    def step(self, update_id: int) -> list[Sent]:
        self.updates += 1
        with self.bot.changed:
            if not self.bot.changed.wait_for(
                    lambda: self.bot.handled.get(self.user_id, 0) >= self.updates,
                    timeout=STEP_TIMEOUT):
                raise TimeoutError(f"no answer to update {update_id} in {STEP_TIMEOUT}s")
        got = self.api.to(self.user_id)
        new, self.seen = got[self.seen:], len(got)
        if not new:
            raise AssertionError(f"update {update_id} got no reply")
        made = self.api.made_at[update_id]
        self.first.append(min(s.at for s in new) - made)
        self.last.append(max(s.at for s in new) - made)
        self.replies += len(new)
        return new


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--managers", type=int, default=50,
                        help="managers filling in the form at the same time (default 50)")
    parser.add_argument("--think", type=float, default=1.0,
                        help="seconds a manager takes between answers, on average "
                             "(default 1.0; 0 = saturation)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, FakeBotApi() as api:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        store = Store(engine)
        setup_workplace(store)
        tokens = [invite(store, f"Leder {n}") for n in range(args.managers)]
        engine.dispose()
        # The bot runs in a process of its own, as it would against Telegram: the fake
        # server and the managers do not compete with it for the interpreter.
        spawn = multiprocessing.get_context("spawn")
        finished, ready, stop = spawn.Queue(), spawn.Event(), spawn.Event()
        child = spawn.Process(target=run_bot, args=(str(engine.url), api.base_url, finished,
                                                    ready, stop), name="bot")
        child.start()
        if not ready.wait(60):
            child.kill()
            print("the bot did not start", file=sys.stderr)
            return 1
        bot = Handled()
        threading.Thread(target=bot.follow, args=(finished,), daemon=True).start()
        steps_each = len(FULL_FORM) + 2
        total = args.managers * steps_each
        done = [0]
        lock = threading.Lock()

        def progress() -> None:
            with lock:
                done[0] += 1
                if done[0] % max(1, total // 10) == 0:
                    print(f"  {done[0]}/{total} steps", file=sys.stderr, flush=True)

        print(f"{args.managers} managers x {steps_each} updates (invite, form, submit), "
              f"think time {args.think:g} s, against the fake Bot API at {api.base_url}",
              file=sys.stderr)
        managers = [Manager(api, bot, 10_000 + n, tokens[n], progress, args.think)
                    for n in range(args.managers)]
        started = time.monotonic()
        for manager in managers:
            manager.start()
        for manager in managers:
            manager.join(STEP_TIMEOUT * (steps_each + 1))
        elapsed = time.monotonic() - started
        stop.set()
        child.join(30)
        finished.put(None)

    failed = [f"{m.name}: {m.error}" for m in managers if m.error]
    first = [x for m in managers for x in m.first]
    last = [x for m in managers for x in m.last]
    replies = sum(m.replies for m in managers)
    print(f"managers: {args.managers} (think time {args.think:g} s), "
          f"completed forms: {args.managers - len(failed)}")
    print(f"updates handled: {len(first)} in {elapsed:.2f}s = {len(first) / elapsed:.1f}/s; "
          f"replies sent: {replies} = {replies / elapsed:.1f}/s")
    for name, values in (("first reply", first), ("all replies", last)):
        if values:
            print(f"latency to {name}: p50 {statistics.median(values) * 1000:.1f} ms, "
                  f"p99 {percentile(values, 99) * 1000:.1f} ms, "
                  f"max {max(values) * 1000:.1f} ms")
    by_step: dict[str, list[float]] = {}
    for m in managers:
        for label, value in zip(m.labels, m.last, strict=False):
            by_step.setdefault(label, []).append(value)
    slowest = sorted(by_step.items(), key=lambda kv: -percentile(kv[1], 99))[:5]
    print("slowest steps (p99 to all replies): " + ", ".join(
        f"{label!r} {percentile(values, 99) * 1000:.0f} ms" for label, values in slowest))
    for line in failed[:10]:
        print(f"FAILED {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

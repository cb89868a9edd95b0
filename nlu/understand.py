"""What a message means: normalised text, intent with confidence, corruption signals, entities.

`Understander.load()` builds everything from the data files in `nlu/data/` (or an office's
own folder); `understand` is what the router calls once per text message.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from nlu.categories import CategorySuggester, CategorySuggestion
from nlu.entities import Entity, extract_entities
from nlu.normalise import normalise
from nlu.textmodel import Example, ModelSettings, TextClassifier, read_examples

DATA = Path(__file__).parent / "data"

INTENTS = (
    "greeting",
    "service_info",
    "complaint_general",
    "complaint_corruption",
    "ticket_status",
    "human",
    "cancel",
    "thanks",
    "other",
)
CORRUPTION = "complaint_corruption"
GENERAL = "complaint_general"


@dataclass(frozen=True)
class IntentGuess:
    intent: str
    confidence: float
    runner_up: str | None = None
    runner_up_confidence: float = 0.0


@dataclass(frozen=True)
class ClarifyPolicy:
    """Ask instead of guessing when the best intent is unsure or too close to the second."""

    min_confidence: float = 0.5
    min_margin: float = 0.15

    def unsure(self, guess: IntentGuess) -> bool:
        return (
            guess.confidence < self.min_confidence
            or guess.confidence - guess.runner_up_confidence < self.min_margin
        )


@dataclass(frozen=True)
class Understanding:
    text: str = field(repr=False)  # may hold a phone or ID number: never in a log line
    """The normalised text (the original stays on the message)."""
    intent: IntentGuess
    corruption_signal: bool
    """The message looks like it may be about corruption, whatever the intent says."""
    entities: tuple[Entity, ...] = ()  # their repr masks personal values
    unsure: bool = False
    """Confidence too low or too close to the runner-up: ask, don't guess."""

    @property
    def needs_corruption_question(self) -> bool:
        """The safety rule: corruption signals outside the corruption intent are asked about,
        never silently filed on another track."""
        return self.corruption_signal and self.intent.intent != CORRUPTION

    def chosen(self, intent: str) -> Understanding:
        """The same message once the citizen has said which intent they meant."""
        return replace(
            self,
            intent=IntentGuess(intent, 1.0),
            corruption_signal=False,
            unsure=False,
        )

    @classmethod
    def of_choice(cls, intent: str) -> Understanding:
        """A quick-reply choice with no text behind it (a tap on an old question)."""
        return cls(text="", intent=IntentGuess(intent, 1.0), corruption_signal=False)


def intent_examples(data: Path) -> list[Example]:
    """The intent files, plus every second complaint-category example as a general
    complaint: long, formal descriptions of public works done badly must not look like
    corruption reports just because the corruption examples are the only long formal ones.
    Half of them teach that as well as all of them do on the held-out sets, and keep the
    start-up under two seconds. Classes are weighted by size, so the extra examples do not
    drown the smaller intents."""
    complaints = [Example(GENERAL, e.text) for e in read_examples(data / "categories")[::2]]
    return read_examples(data / "intents") + complaints


# "เจ้าหน้าที่ขอ 500 บาท", "จนท.เรียกเงินค่าเดินเรื่อง": an official asking for money, in
# the many ways people write it, is a signal whatever the exact words.
_OFFICIAL_ASKS_FOR_MONEY = re.compile(
    r"(เจ้าหน้าที่|จนท|พนักงาน|ปลัด|นายก|ผู้ใหญ่บ้าน|กำนัน|ช่าง|เขา)"
    r".{0,25}(ขอ|เรียก|ให้จ่าย|ต้องจ่าย|เอา)"
    r".{0,20}(\d+\s*(บาท|พัน|ร้อย)|เงิน|ตังค์|ค่าขนม|ค่าน้ำ|ค่าเหนื่อย|ค่าวิ่ง|ค่าเดินเรื่อง)"
)


class CorruptionSignals:
    """Words and phrases that suggest corruption or misconduct, from a data file, matched on
    normalised text. Deliberately broad: a false alarm costs one question, a miss costs a
    whistle-blower's safety."""

    def __init__(self, phrases: list[str]) -> None:
        cleaned = sorted({normalise(p) for p in phrases} - {""}, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(p) for p in cleaned)) if cleaned else None

    @classmethod
    def from_file(cls, path: Path) -> CorruptionSignals:
        lines = path.read_text(encoding="utf-8").splitlines()
        stripped = (line.strip() for line in lines)
        return cls([line for line in stripped if line and not line.startswith("#")])

    def markers(self, normalised_text: str) -> list[str]:
        """A feature for the intent model: the phrases are the strongest evidence there is,
        and the examples teach it how strong."""
        return ["§corruption-phrase"] if self.found_in(normalised_text) else []

    def found_in(self, normalised_text: str) -> bool:
        if self._pattern is not None and self._pattern.search(normalised_text):
            return True
        return _OFFICIAL_ASKS_FOR_MONEY.search(normalised_text) is not None


@dataclass
class Understander:
    intents: TextClassifier
    categories: CategorySuggester
    signals: CorruptionSignals
    policy: ClarifyPolicy
    corruption_probability_signal: float = 0.2
    load_seconds: float = 0.0

    @classmethod
    def load(cls, data: Path = DATA, policy: ClarifyPolicy | None = None) -> Understander:
        started = time.perf_counter()
        signals = CorruptionSignals.from_file(data / "corruption_signals.txt")
        intents = TextClassifier(
            intent_examples(data), ModelSettings(balanced=True), markers=signals.markers
        )
        missing = set(INTENTS) - set(intents.labels)
        if missing:
            raise ValueError(f"no training examples for intents: {sorted(missing)}")
        return cls(
            intents=intents,
            categories=CategorySuggester.load(data / "categories"),
            signals=signals,
            policy=policy or ClarifyPolicy(),
            load_seconds=time.perf_counter() - started,
        )

    def classify(self, text: str) -> IntentGuess:
        return self._guess(normalise(text))[0]

    def suggest_categories(self, text: str, limit: int = 3) -> list[CategorySuggestion]:
        return self.categories.suggest(text, limit)

    def _guess(self, normalised_text: str) -> tuple[IntentGuess, dict[str, float]]:
        if not normalised_text:
            return IntentGuess("other", 1.0), {}
        ranked = self.intents.rank(normalised_text)
        best, second = ranked[0], ranked[1]
        guess = IntentGuess(best.label, best.probability, second.label, second.probability)
        return guess, {s.label: s.probability for s in ranked}

    def understand(self, text: str, today: date) -> Understanding:
        normalised_text = normalise(text)
        guess, probabilities = self._guess(normalised_text)
        return Understanding(
            text=normalised_text,
            intent=guess,
            corruption_signal=self.signals.found_in(normalised_text)
            or probabilities.get(CORRUPTION, 0.0) >= self.corruption_probability_signal,
            entities=extract_entities(text, today),
            unsure=bool(normalised_text) and self.policy.unsure(guess),
        )

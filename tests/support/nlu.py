"""One real Understander for the whole test session: the models load once, not per test."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from nlu.categories import CategorySuggestion
from nlu.understand import ClarifyPolicy, IntentGuess, Understander, Understanding


@lru_cache(maxsize=1)
def shared_understander() -> Understander:
    return Understander.load()


class ScriptedUnderstander:
    """A fake for router tests that need an exact confidence: each text is understood as
    scripted; anything else falls through to the real models."""

    def __init__(self, script: dict[str, Understanding]) -> None:
        self.script = script

    def understand(self, text: str, today: date) -> Understanding:
        if text in self.script:
            return self.script[text]
        return shared_understander().understand(text, today)

    def suggest_categories(self, text: str, limit: int = 3) -> list[CategorySuggestion]:
        return shared_understander().suggest_categories(text, limit)


def scripted(
    intent: str,
    confidence: float,
    runner_up: str | None = None,
    runner_up_confidence: float = 0.0,
    *,
    corruption_signal: bool = False,
) -> Understanding:
    guess = IntentGuess(intent, confidence, runner_up, runner_up_confidence)
    return Understanding(
        text="",
        intent=guess,
        corruption_signal=corruption_signal,
        unsure=ClarifyPolicy().unsure(guess),
    )

"""Ask before acting when the bot is unsure, and always before a possible corruption report
would go down another track (the safety rule)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from complaints.corruption import DraftVault
from handlers import texts_th as th
from handlers.commands import bare_word
from handlers.contract import ConversationState, Outcome, Turn
from handlers.messages import Choice, MessageKind, Reply
from nlu.understand import CORRUPTION, INTENTS, Understanding

CLARIFY_FLOW = "clarify"
"""While this question is open, the state keeps the original text so that the chosen
handler sees the message as if it had been understood at once. The router resolves it."""
CHOICE_PREFIX = "intent:"
SEALED = "sealed"
RESUME = "resume"
"""A flow that asked the question keeps its own state here (flow, step, data): when the
answer is the intent it assumed, the router gives the text back to that flow's step."""
CORRUPTION_QUESTION = "corruption"
UNSURE_QUESTION = "unsure"

# Intents worth asking about: acting on the wrong one of these costs the citizen something.
_ACTIONABLE = ("service_info", "complaint_general", CORRUPTION, "ticket_status", "human")


def choice_payload(intent: str) -> str:
    return f"{CHOICE_PREFIX}{intent}"


def chosen_intent(payload: str | None) -> str | None:
    """The intent of a tapped choice, or None if the payload is not a (known) choice."""
    if payload and payload.startswith(CHOICE_PREFIX):
        intent = payload.removeprefix(CHOICE_PREFIX)
        return intent if intent in INTENTS else None
    return None


class Clarify:
    name = "clarify"

    def matches(self, turn: Turn) -> bool:
        u = turn.understanding
        if u is None or turn.message.kind is not MessageKind.TEXT:
            return False
        return u.needs_corruption_question or (u.unsure and bool(_candidates(u)))

    def handle(self, turn: Turn, keep: Mapping[str, Any] | None = None) -> Outcome:
        """`keep`: more to hold with the waiting text (a flow's draft, under `RESUME`)."""
        u = turn.understanding
        assert u is not None
        question = CORRUPTION_QUESTION if u.needs_corruption_question else UNSURE_QUESTION
        if question == CORRUPTION_QUESTION:
            reply = Reply(
                text=th.CORRUPTION_QUESTION,
                quick_replies=(
                    Choice(th.CHOICE_LABELS[CORRUPTION], choice_payload(CORRUPTION)),
                    Choice(th.CHOICE_NO, choice_payload(u.intent.intent)),
                ),
            )
        else:
            reply = Reply(
                text=th.CLARIFY_QUESTION,
                quick_replies=(
                    *(Choice(th.CHOICE_LABELS[i], choice_payload(i)) for i in _candidates(u)),
                    Choice(th.CHOICE_NONE, choice_payload("other")),
                ),
            )
        waiting = {"text": turn.message.text, **(keep or {})}
        vault = turn.ports.vault
        held = {SEALED: vault.lock(waiting)} if vault is not None else waiting
        data = {"otherwise": u.intent.intent, **held}
        return Outcome((reply,), ConversationState(CLARIFY_FLOW, step=question, data=data))


def waiting_for_answer(state: ConversationState, vault: DraftVault | None) -> dict[str, Any]:
    """What the open question holds (the original text, a flow's draft): a message that
    may be a corruption report is kept sealed in the state, never in clear."""
    if SEALED not in state.data:
        return dict(state.data)
    sealed = state.data[SEALED]
    opened = vault.unlock(sealed) if vault is not None and isinstance(sealed, str) else None
    return opened or {}


def still_unanswered(state: ConversationState, text: str) -> bool:
    """A short reply that is neither yes nor no ("ไม่แน่ใจ", "หืม") to the safety question:
    ask it again rather than let the report slip away. Longer text is a new message."""
    return (
        state.flow == CLARIFY_FLOW
        and state.step == CORRUPTION_QUESTION
        and len(text.strip()) <= UNANSWERED_MAX_CHARS
        and typed_answer(state, text) is None
    )


UNANSWERED_MAX_CHARS = 12


def typed_answer(state: ConversationState, text: str) -> str | None:
    """A typed "ใช่" or "ไม่ใช่" to the corruption question, as the intent it chooses."""
    if state.flow != CLARIFY_FLOW or state.step != CORRUPTION_QUESTION:
        return None
    word = bare_word(text)
    if word in _YES:
        return CORRUPTION
    otherwise = state.data.get("otherwise")
    if word in _NO and otherwise in INTENTS:
        return str(otherwise)
    return None


_YES = {
    "ใช่", "ใช่แล้ว", "ช่าย", "ใช่ๆ", "ถูกต้อง", "ครับ", "ค่ะ", "คะ", "จ้า", "ได้",
    "โอเค", "ok", "yes", "แจ้ง", "แจ้งเรื่องทุจริต", "แจ้งเป็นเรื่องทุจริต",
}  # fmt: skip
_NO = {"ไม่ใช่", "ไม่", "ไม่ใช่ๆ", "no", "ไม่ใช่เรื่องทุจริต", "เรื่องทั่วไป"}


def _candidates(u: Understanding) -> tuple[str, ...]:
    top = (u.intent.intent, u.intent.runner_up)
    return tuple(i for i in top if i in _ACTIONABLE)


def ask_again(state: ConversationState) -> Outcome:
    otherwise = str(state.data.get("otherwise") or "complaint_general")
    reply = Reply(
        text=th.CORRUPTION_QUESTION_AGAIN,
        quick_replies=(
            Choice(th.CHOICE_LABELS[CORRUPTION], choice_payload(CORRUPTION)),
            Choice(th.CHOICE_NO, choice_payload(otherwise)),
        ),
    )
    return Outcome((reply,), state)

"""A minimal multi-turn flow for exercising the router and state storage."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.contract import ConversationState, Outcome, Turn
from handlers.messages import Reply


@dataclass
class EchoFlow:
    """A two-step flow used only to exercise the router's flow handling."""

    flow: str = "echo"

    def handle(self, turn: Turn) -> Outcome:
        count = int(turn.state.data.get("count", 0)) + 1
        return Outcome(
            (Reply(text=f"echo {count}: {turn.message.text}"),),
            ConversationState(flow="echo", step="listening", data={"count": count}),
        )

    def help(self, turn: Turn) -> Outcome:
        return Outcome((Reply(text="echo help"),), turn.state)

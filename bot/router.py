"""The router: conversation state first, then global commands, then intent, then fallback."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.clock import thai_date
from bot.understanding import UnderstandsText
from handlers import texts_th as th
from handlers.clarify import (
    CLARIFY_FLOW,
    CORRUPTION_QUESTION,
    RESUME,
    ask_again,
    chosen_intent,
    still_unanswered,
    typed_answer,
    waiting_for_answer,
)
from handlers.commands import Command, parse_command
from handlers.contract import IDLE, NO_PORTS, ConversationState, FlowHandler, Outcome, Ports, Turn
from handlers.emergency import emergency_reply
from handlers.messages import IncomingMessage, MessageKind, Reply
from handlers.registry import Registry
from nlu.understand import CORRUPTION, Understanding


class Router:
    def __init__(
        self, registry: Registry, understander: UnderstandsText, idle_timeout: timedelta
    ) -> None:
        self.registry = registry
        self.understander = understander
        self.idle_timeout = idle_timeout

    def route(
        self,
        message: IncomingMessage,
        state: ConversationState,
        now: datetime,
        ports: Ports = NO_PORTS,
        *,
        first_contact: bool = False,
    ) -> Outcome:
        """`first_contact`: this person has never been shown the short privacy notice."""
        notices: tuple[Reply, ...] = ()
        if self._expired(state, message.received_at):  # a reply queued in time still counts
            if not self._soft(state):
                notices = (Reply(text=th.FLOW_TIMED_OUT),)
            state = IDLE
        if message.kind is MessageKind.TEXT and (urgent := emergency_reply(message.text)):
            notices = (urgent, *notices)
        outcome = self._dispatch(message, state, now, ports)
        replies = notices + outcome.replies
        if first_contact and replies:
            # at the end of the last bubble, so its buttons (LINE: the last one's) stay
            last = replies[-1]
            note = (
                f"{last.text}\n\n{th.PRIVACY_FIRST_CONTACT}"
                if last.text
                else th.PRIVACY_FIRST_CONTACT
            )
            replies = (*replies[:-1], replace(last, text=note))
        new_state = outcome.state
        if not new_state.idle:
            new_state = replace(new_state, updated_at=now)
        return replace(outcome, replies=replies, state=new_state)

    def _expired(self, state: ConversationState, now: datetime) -> bool:
        return (
            not state.idle
            and state.updated_at is not None
            and now - state.updated_at > self.idle_timeout
        )

    def _soft(self, state: ConversationState) -> bool:
        """A flow that only remembers context (the entry just answered), not a task."""
        flow = self.registry.flow(state.flow) if state.flow else None
        return bool(getattr(flow, "soft", False))

    def _dispatch(
        self, message: IncomingMessage, state: ConversationState, now: datetime, ports: Ports
    ) -> Outcome:
        if message.kind is MessageKind.UNFOLLOW:
            return Outcome((), IDLE)  # blocked: nobody to answer, forget any open flow

        command = parse_command(message)
        if command is not None and message.kind is not MessageKind.POSTBACK:
            message = replace(message, kind=MessageKind.POSTBACK, postback=command.value)
        choice = chosen_intent(message.postback) if command is None else None
        if command is None and message.kind is MessageKind.TEXT:
            choice = typed_answer(state, message.text)
        if command is Command.REPORT_CORRUPTION and state.flow == CLARIFY_FLOW:
            choice = CORRUPTION  # "แจ้งทุจริต" typed as the answer to the safety question
        if choice is not None and (state.idle or state.flow == CLARIFY_FLOW):
            return self._resolve_choice(message, choice, state, now, ports)
        typed = command is None and message.kind is MessageKind.TEXT
        if typed and still_unanswered(state, message.text):
            return ask_again(state)
        if state.flow == CLARIFY_FLOW and command in (Command.CANCEL, Command.MENU):
            cancelled = Reply(text=th.CANCELLED)
            if command is Command.CANCEL:
                return Outcome((cancelled,), IDLE)
            idle = Turn(message, IDLE, now, ports=ports)
            menu = self.registry.find(idle).handle(idle)
            return replace(menu, replies=(cancelled, *menu.replies))

        flow = self.registry.flow(state.flow) if state.flow else None
        if state.flow and flow is None:
            state = IDLE  # a finished question, or a flow from an older version
        if flow is not None and command is not None and self._soft(state):
            flow, state = None, IDLE  # commands act as if only context were open

        understanding = self._understand(message, now)
        if flow is not None and command is Command.HELP:
            return flow.help(Turn(message, state, now, understanding, ports))
        if (
            flow is not None
            and command is None
            and self.registry.answers_beside_flows(message.postback)
        ):
            beside = Turn(message, state, now, understanding, ports)
            return self._beside(flow, beside, self.registry.find(beside).handle(beside))
        if flow is not None and command is None and not self._soft(state):
            turn = Turn(message, state, now, understanding, ports)
            aside = next((h for h in self.registry.beside_handlers if h.matches(turn)), None)
            if aside is not None:  # "5 ดาว", "จ่ายภาษีที่ไหนคะ" typed mid-way: answered
                return self._beside(flow, turn, aside.handle(turn))
        if flow is not None and (command is None or command in _claimed(flow)):
            outcome = flow.handle(Turn(message, state, now, understanding, ports))
            if outcome is not None:
                return outcome
            flow, state = None, IDLE  # not part of the flow: a fresh message

        turn = Turn(message, state, now, understanding, ports)
        outcome = self.registry.find(turn).handle(turn)
        if command is Command.MENU and flow is not None:
            return replace(outcome, replies=(Reply(text=th.CANCELLED), *outcome.replies))
        if flow is not None and command not in _ENDS_FLOWS:
            # privacy/contact buttons inside a flow answer without dropping the flow
            return self._beside(flow, turn, outcome)
        return outcome

    def _beside(self, flow: FlowHandler, turn: Turn, outcome: Outcome) -> Outcome:
        """An answer given while a flow stays open. A flow that can reminds the citizen
        where they were, last, so its buttons are the ones shown (LINE shows only the last
        bubble's), unless the answer asks a question of its own ("erase?")."""
        resume = getattr(flow, "resume", None)
        replies = outcome.replies
        menu = self.registry.menu.choices() if self.registry.menu else ()
        last_buttons = replies[-1].quick_replies if replies else ()
        if resume is not None and all(b in menu for b in last_buttons):  # no question of its own
            answer = replace(replies[-1], quick_replies=()) if replies else None
            replies = (*replies[:-1], *((answer,) if answer else ()), resume(turn))
        return replace(outcome, replies=replies, state=turn.state)

    def _understand(self, message: IncomingMessage, now: datetime) -> Understanding | None:
        if message.kind is not MessageKind.TEXT or not message.text.strip():
            return None
        return self.understander.understand(message.text, thai_date(now))

    def _resolve_choice(
        self,
        message: IncomingMessage,
        intent: str,
        state: ConversationState,
        now: datetime,
        ports: Ports,
    ) -> Outcome:
        """The citizen answered a clarifying question: handle their original message as
        the intent they chose. A tap on an old question has no message behind it."""
        waiting = waiting_for_answer(state, ports.vault) if state.flow == CLARIFY_FLOW else {}
        original = waiting.get("text")
        if isinstance(original, str) and original.strip():
            message = replace(message, kind=MessageKind.TEXT, text=original, postback="")
            understood = self.understander.understand(original, thai_date(now))
            if understood.needs_corruption_question and state.step != CORRUPTION_QUESTION:
                # a button from an older question: this message has not had the safety
                # question yet, so it gets it now instead of the tapped intent
                turn = Turn(message, IDLE, now, understood, ports)
                return self.registry.find(turn).handle(turn)
            understood = understood.chosen(intent)
            turn = Turn(message, IDLE, now, understood, ports)
            resumed = self._resume(state, waiting, intent, turn)
            if resumed is not None:
                return resumed
        else:
            understood = Understanding.of_choice(intent)
        turn = Turn(message, IDLE, now, understood, ports)
        return self.registry.find(turn).handle(turn)

    def _resume(
        self, state: ConversationState, held: dict[str, Any], intent: str, turn: Turn
    ) -> Outcome | None:
        """ "Not corruption" to a question a flow asked mid-way: the text goes back to that
        flow's step as its answer, with everything collected before still there."""
        waiting = held.get(RESUME)
        if intent != state.data.get("otherwise") or not isinstance(waiting, dict):
            return None
        flow = self.registry.flow(str(waiting.get("flow")))
        data = waiting.get("data")
        if flow is None or not isinstance(data, dict):
            return None
        flow_state = ConversationState(str(waiting["flow"]), str(waiting.get("step")), data)
        return flow.handle(replace(turn, state=flow_state))


# Commands whose answer replaces an open flow rather than answering beside it.
_ENDS_FLOWS = frozenset(
    {
        Command.CANCEL,
        Command.MENU,
        Command.ERASE_CONFIRM,
        # a corruption report is never written into (or beside) another open flow
        Command.REPORT_CORRUPTION,
        Command.FOLLOW_CORRUPTION,
        Command.ADD_TO_CORRUPTION,
    }
)


def _claimed(flow: FlowHandler) -> frozenset[Command]:
    """Commands a flow answers itself ("ย้อนกลับ" means a step back only inside a flow)."""
    return frozenset(getattr(flow, "commands", ()))

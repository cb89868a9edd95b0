"""The router: conversation state first, then global commands, then intent, then fallback."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.intent import IntentClassifier
from handlers import texts_th as th
from handlers.commands import Command, parse_command
from handlers.contract import IDLE, ConversationState, Outcome, Turn
from handlers.messages import IncomingMessage, MessageKind, Reply
from handlers.registry import Registry


class Router:
    def __init__(
        self, registry: Registry, classifier: IntentClassifier, idle_timeout: timedelta
    ) -> None:
        self.registry = registry
        self.classifier = classifier
        self.idle_timeout = idle_timeout

    def route(self, message: IncomingMessage, state: ConversationState, now: datetime) -> Outcome:
        notices: tuple[Reply, ...] = ()
        if self._expired(state, now):
            state, notices = IDLE, (Reply(text=th.FLOW_TIMED_OUT),)
        outcome = self._dispatch(message, state, now)
        new_state = outcome.state
        if not new_state.idle:
            new_state = replace(new_state, updated_at=now)
        return Outcome(notices + outcome.replies, new_state)

    def _expired(self, state: ConversationState, now: datetime) -> bool:
        return (
            not state.idle
            and state.updated_at is not None
            and now - state.updated_at > self.idle_timeout
        )

    def _dispatch(
        self, message: IncomingMessage, state: ConversationState, now: datetime
    ) -> Outcome:
        if message.kind is MessageKind.UNFOLLOW:
            return Outcome((), IDLE)  # blocked: nobody to answer, forget any open flow

        command = parse_command(message)
        if command is not None:
            message = replace(message, kind=MessageKind.POSTBACK, postback=command.value)
        flow = self.registry.flow(state.flow) if state.flow else None
        if state.flow and flow is None:
            state = IDLE  # a flow from an older version that no longer exists

        if flow is not None and command is Command.HELP:
            return flow.help(Turn(message, state, now))
        if flow is not None and command is None:
            return flow.handle(Turn(message, state, now))

        intent = None
        if message.kind is MessageKind.TEXT and message.text.strip():
            intent = self.classifier.classify(message.text)
        turn = Turn(message, state, now, intent)
        outcome = self.registry.find(turn).handle(turn)
        if command is Command.MENU and flow is not None:
            return Outcome((Reply(text=th.CANCELLED), *outcome.replies), outcome.state)
        if flow is not None and command not in (Command.CANCEL, Command.MENU):
            # privacy/contact buttons inside a flow answer without dropping the flow
            return Outcome(outcome.replies, state)
        return outcome

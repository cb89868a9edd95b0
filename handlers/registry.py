"""The explicit handler registry: every handler, in the order they are asked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from handlers import basic
from handlers import texts_th as th
from handlers.clarify import Clarify
from handlers.commands import Command
from handlers.complaint_intake import ComplaintFlow, ComplaintIntake, SuggestsCategories
from handlers.contract import FlowHandler, Handler, Turn
from handlers.corruption_follow import CorruptionFollow, CorruptionFollowFlow
from handlers.corruption_report import CorruptionFlow, CorruptionIntake, CorruptionUnavailable
from handlers.erasure import EraseMyData
from handlers.service_info import (
    KNOWLEDGE_BUTTONS,
    FollowUp,
    KnowledgeSource,
    ServiceInfo,
    ServiceQuestion,
)
from handlers.ticket_status import TICKET_BUTTONS, TicketStatus, TypedResultAnswer

DEFAULT_SLA_DAYS = 15
MAX_MENU_ENTRIES = 11
"""12 tiles in the LINE rich menu, one of which is "เมนู"."""


@dataclass
class Registry:
    handlers: Sequence[Handler]
    fallback: Handler
    flows: dict[str, FlowHandler] = field(default_factory=dict)
    menu: basic.Menu | None = None
    beside_handlers: tuple[Handler, ...] = ()
    """Handlers asked before an open (task) flow gets a typed message: answers to other
    questions that must not be swallowed as the flow's data."""
    beside_flows: tuple[str, ...] = ()
    """Postback prefixes answered by a handler even while a flow is open (a rating button
    under a notice, tapped while writing another complaint); the flow stays open."""

    def find(self, turn: Turn) -> Handler:
        """First match wins; the fallback answers what nothing else claims."""
        for handler in self.handlers:
            if handler.matches(turn):
                return handler
        return self.fallback

    def flow(self, name: str) -> FlowHandler | None:
        return self.flows.get(name)

    def answers_beside_flows(self, payload: str) -> bool:
        return (
            bool(payload) and payload.startswith(self.beside_flows) if self.beside_flows else False
        )


def build_registry(
    office: basic.OfficeInfo,
    extra_flows: Sequence[FlowHandler] = (),
    knowledge: KnowledgeSource | None = None,
    categories: SuggestsCategories | None = None,
    sla_days: int = DEFAULT_SLA_DAYS,
    *,
    integrity: bool = False,
) -> Registry:
    """Features are registered only when what they need is given: the knowledge base for
    service answers, the category suggester for complaints, `integrity` for the
    confidential corruption track (its desk and vault come with each turn's ports)."""
    features: list[basic.MenuEntry] = []
    beside: list[Handler] = []
    feature_handlers: list[Handler] = []
    flows: list[FlowHandler] = list(extra_flows)
    if categories is not None:
        features.append(basic.MenuEntry(th.LABEL_COMPLAIN, Command.COMPLAIN.value))
        features.append(basic.MenuEntry(th.LABEL_MY_TICKETS, Command.MY_TICKETS.value))
    if integrity:
        features.append(
            basic.MenuEntry(th.LABEL_REPORT_CORRUPTION, Command.REPORT_CORRUPTION.value)
        )
        features.append(
            basic.MenuEntry(th.LABEL_FOLLOW_CORRUPTION, Command.FOLLOW_CORRUPTION.value)
        )
    if knowledge is not None:
        features.append(basic.MenuEntry(th.LABEL_SERVICES, Command.SERVICES.value))
        service_info = ServiceInfo(knowledge, office)
        feature_handlers.append(service_info)
        beside.append(ServiceQuestion(service_info))
        flows.append(FollowUp(knowledge))
    menu = basic.Menu(
        (
            *features,
            basic.MenuEntry(th.LABEL_HELP, Command.HELP.value),
            basic.MenuEntry(th.LABEL_CONTACT, Command.CONTACT.value),
            basic.MenuEntry(th.LABEL_PRIVACY, Command.PRIVACY.value),
        )
    )
    if len(menu.entries) > MAX_MENU_ENTRIES:
        raise ValueError(f"the main menu holds at most {MAX_MENU_ENTRIES} entries")
    early: list[Handler] = []
    if integrity:
        report_flow = CorruptionFlow(menu, sla_days)
        follow_flow = CorruptionFollowFlow(menu)
        flows.extend((report_flow, follow_flow))
        # a typed receipt code is followed before anything could keep or echo it
        early.append(CorruptionFollow(follow_flow))
        feature_handlers.append(CorruptionIntake(report_flow))
    else:
        feature_handlers.append(CorruptionUnavailable(menu))
    if categories is not None:
        complaint_flow = ComplaintFlow(office, menu, categories, sla_days)
        flows.append(complaint_flow)
        status = TicketStatus(sla_days)
        early.append(TypedResultAnswer(status))
        beside.append(early[-1])
        feature_handlers[:0] = [
            status,  # a typed ticket code is a status question first
            ComplaintIntake(complaint_flow),
            EraseMyData(menu),
        ]
    handlers: list[Handler] = [
        basic.NonText(menu),
        *early,
        Clarify(),  # before any intent handler: the safety rule asks first
        basic.Greeting(office, menu),
        menu,
        basic.Help(menu),
        basic.Cancel(menu),
        basic.Privacy(office, menu),
        basic.Contact(office, menu),
        basic.Thanks(),
        *feature_handlers,
        basic.NotYetAvailable(office, menu),
    ]
    return Registry(
        handlers=handlers,
        fallback=basic.Fallback(menu),
        flows={f.flow: f for f in flows},
        menu=menu,
        beside_handlers=tuple(beside),
        beside_flows=(
            *(TICKET_BUTTONS if categories is not None else ()),
            *(KNOWLEDGE_BUTTONS if knowledge is not None else ()),
        ),
    )

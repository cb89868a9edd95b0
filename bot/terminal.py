"""The terminal face of the dev chat: replies as text, buttons as numbered choices."""

from __future__ import annotations

from typing import TextIO

from bot.devchat import DevChat
from handlers.messages import Choice, MessageKind, Reply


def format_replies(replies: list[Reply]) -> tuple[str, list[Choice]]:
    lines: list[str] = []
    choices: list[Choice] = []
    for reply in replies:
        if reply.text:
            lines.append(f"เสียง> {reply.text}")
        for card in reply.cards:
            lines.append(f"เสียง> [{card.title}]")
            if card.body:
                lines.append(f"       {card.body}")
            lines.extend(f"       {k}: {v}" for k, v in card.facts)
            choices.extend(card.buttons)
        choices.extend(reply.quick_replies)
    for number, choice in enumerate(choices, start=1):
        target = f" → {choice.url}" if choice.url else ""
        lines.append(f"  [{number}] {choice.label}{target}")
    return "\n".join(lines), choices


def run_chat(chat: DevChat, user: str, stdin: TextIO, stdout: TextIO) -> None:
    interactive = stdin.isatty()
    choices: list[Choice] = []

    def show(replies: list[Reply]) -> None:
        nonlocal choices
        text, choices = format_replies(replies)
        print(text, file=stdout, flush=True)

    if interactive:
        print("พิมพ์ข้อความแล้วกด Enter · ตัวเลขเพื่อกดปุ่ม · Ctrl-D เพื่อออก", file=stdout)
        show(chat.send(user, kind=MessageKind.FOLLOW))
    while True:
        if interactive:
            print("คุณ> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        text = line.rstrip("\n")
        if not interactive:
            print(f"คุณ> {text}", file=stdout)
        picked = _picked(text, choices)
        if picked is not None and picked.url:
            print(f"(ลิงก์: {picked.url})", file=stdout)
            continue
        if picked is not None:
            show(chat.send(user, postback=picked.payload))
        else:
            show(chat.send(user, text=text))


def _picked(text: str, choices: list[Choice]) -> Choice | None:
    stripped = text.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(choices):
        return choices[int(stripped) - 1]
    return None

"""The terminal chat: the same engine, with buttons as numbered choices.

It reads lines from any stream, so it works at a prompt and in a pipe:
typing a number presses that button, a line starting with ``/`` is a command,
anything else is typed text. ``/exit`` or the end of input leaves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.engine import Engine
from resource_bot.dialog.events import (
    Button,
    Command,
    CommandName,
    Effect,
    Event,
    Outcome,
    Press,
    Start,
    Text,
)

_CLEAR_SCREEN = "\033[2J\033[3J\033[H"
_COMMANDS = {name.value: name for name in CommandName}


def parse_line(line: str, choices: list[Button]) -> Event | None:
    """Turn one typed line into an event; None for an empty line."""
    text = line.strip()
    if not text:
        return None
    if text.isdigit() and 1 <= int(text) <= len(choices):
        button = choices[int(text) - 1]
        return Press(button.data) if button.data else None
    if text.startswith("/"):
        word, _, rest = text[1:].partition(" ")
        word = word.lower()
        if word == "start":
            return Start(rest.strip() or None)
        if word in _COMMANDS:
            return Command(_COMMANDS[word])
    return Text(text)


class TerminalChat:
    """One person at a terminal; the state lives in memory for the session."""

    def __init__(
        self,
        engine: Engine,
        out: TextIO,
        *,
        lang: str = "en",
        is_tty: bool = False,
        record: Callable[[Outcome], None] | None = None,
    ) -> None:
        """``record`` keeps what each outcome carries (counts, listing reports), as every channel does."""
        self.engine = engine
        self.out = out
        self.record = record
        self.state = ChatState(lang=lang)
        self.choices: list[Button] = []
        self.is_tty = is_tty

    def show(self, outcome: Outcome) -> None:
        for reply in outcome.replies:
            self.out.write("\n" + reply.text + "\n")
            buttons = reply.all_buttons()
            if buttons:
                self.choices = [b for b in buttons if b.data]
                number = 0
                for button in buttons:
                    if button.data:
                        number += 1
                        self.out.write(f"  [{number}] {button.label}\n")
                    elif button.url:
                        self.out.write(f"      {button.label}: {button.url}\n")
        self.out.flush()

    def send(self, event: Event) -> Outcome:
        outcome, self.state = self.engine.handle(self.state, event)
        if self.record is not None:
            self.record(outcome)
        if Effect.QUICK_EXIT in outcome.effects and self.is_tty:
            self.out.write(_CLEAR_SCREEN)
        self.show(outcome)
        return outcome

    def run(self, readline: Callable[[], str], *, prompt: str = "> ") -> None:
        self.send(Start(f"-{self.state.lang}"))
        while True:
            if self.is_tty:
                self.out.write(prompt)
                self.out.flush()
            line = readline()
            if line == "":
                break
            if line.strip().lower() in ("/exit", "/quit"):
                self.send(Command(CommandName.EXIT))
                break
            event = parse_line(line, self.choices)
            if event is None:
                continue
            outcome = self.send(event)
            if Effect.QUICK_EXIT in outcome.effects:
                break

"""Headline attributions: "Буданов: ..." at the start of a line."""

from __future__ import annotations

import re

from .tokens import Span
from .vocabulary import is_outlet

_HEADLINE = re.compile(r"[ \t]*([A-ZА-ЯЁІЇЄҐ][^\W\d_]*(?:[ \t'’.\-]+[^\W\d_]+){0,3})"
                       r"[ \t]*:[ \t]+\S")
# lead words that end in a colon without naming anyone
_NOT_WHO = frozenset("""итог итоги важно обновлено обновление фото видео опрос цифра цифры факт
    факты источник источники главное коротко подробности мнение аналитика прогноз
    підсумок підсумки важливо оновлено відео опитування цифри факти джерело джерела
    головне коротко подробиці думка прогноз update updated breaking exclusive analysis
    opinion poll watch live explainer factbox source sources photo video note
    correction""".split())


def headline_claimant(text: str, sentence: Span) -> str | None:
    """The "X" of a headline-style attribution: "Генштаб ЗСУ: ...", "Seoul: ...",
    at the start of ``sentence`` or, failing that, of the text's first line
    (a headline that heads the whole article)."""
    for start in (sentence[0], 0):
        m = _HEADLINE.match(text, start)
        if m is None or "\n" in text[start:m.start(1)]:
            continue
        who = m.group(1).strip()
        if who.lower() in _NOT_WHO or is_outlet(who):
            continue
        if start == 0 and text.find("\n", 0, m.end()) >= 0:
            continue  # the colon is not on the first line
        return who
    return None

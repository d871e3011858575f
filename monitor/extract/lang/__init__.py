"""Language detection between Russian, Ukrainian and English; each language's word
lists for the extractor are in ru.py, uk.py and en.py here."""

from __future__ import annotations

import re

_UK_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RU_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
_CYR = re.compile(r"[а-яА-Я]")
_LAT = re.compile(r"[a-zA-Z]")
_UK_WORDS = re.compile(r"\b(?:що|це|як|та|від|для|які|його|було|може)\b")
_RU_WORDS = re.compile(r"\b(?:что|это|как|для|от|который|было|его|может)\b")


def detect_lang(text: str, sample: int = 4000) -> str:
    """Guess "ru", "uk" or "en" from letters that only one language uses."""
    s = text[:sample]
    cyr = len(_CYR.findall(s))
    lat = len(_LAT.findall(s))
    if cyr == 0 and lat == 0:
        return "en"
    if lat > cyr:
        return "en"
    uk = len(_UK_ONLY.findall(s)) * 3 + len(_UK_WORDS.findall(s))
    ru = len(_RU_ONLY.findall(s)) * 3 + len(_RU_WORDS.findall(s))
    return "uk" if uk > ru else "ru"

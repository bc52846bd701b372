"""A pronunciation for a word the pronouncing dictionary lacks (a client's name such as "Priya",
an anatomy word such as "gluteus", an abbreviation such as "SCM"), in CMU's ARPAbet.

Abbreviations (no vowel, or three letters or fewer) are spelled out, letter by letter, as
therapists say them ("s c m"); other words go through a small set of English letter-to-sound
rules, longest spelling first. The rules are rough: they give the recogniser a near enough
sound to find the word, which is all it needs (bench/dictation.py measures the effect); a
word that matters and comes out wrong gets its own line in speech/vocabulary.toml.
"""

from __future__ import annotations

import re

__all__ = ["letter_to_sound", "spelled"]

# How each letter is said on its own.
_LETTERS = {
    "a": "EY", "b": "B IY", "c": "S IY", "d": "D IY", "e": "IY", "f": "EH F", "g": "JH IY",
    "h": "EY CH", "i": "AY", "j": "JH EY", "k": "K EY", "l": "EH L", "m": "EH M", "n": "EH N",
    "o": "OW", "p": "P IY", "q": "K Y UW", "r": "AA R", "s": "EH S", "t": "T IY", "u": "Y UW",
    "v": "V IY", "w": "D AH B AH L Y UW", "x": "EH K S", "y": "W AY", "z": "Z IY",
}  # fmt: skip

# Spellings and their sounds, tried longest first at each position. "^" marks the start of
# the word, "$" its end.
_RULES: dict[str, str] = {
    "tion": "SH AH N", "sion": "ZH AH N", "ough": "AO", "augh": "AO",
    "^ps": "S", "^kn": "N", "^wr": "R", "^x": "Z",
    "sch": "SH", "tch": "CH", "chr": "K R", "dge": "JH",
    "us$": "AH S", "um$": "AH M", "ae$": "IY", "ia$": "IY AH", "ie$": "IY", "ey$": "IY",
    "iy": "IY Y", "ee": "IY", "ea": "IY", "oo": "UW", "ou": "AW", "oi": "OY", "oy": "OY",
    "ai": "EY", "ay": "EY", "au": "AO", "aw": "AO", "ei": "EY", "eu": "Y UW", "ie": "IY",
    "oa": "OW",
    "ch": "CH", "sh": "SH", "th": "TH", "ph": "F", "ck": "K", "ng": "NG", "qu": "K W",
    "gh": "G", "wh": "W", "kh": "K",
    "a$": "AH", "e$": "", "i$": "IY", "o$": "OW", "y$": "IY", "es$": "Z",
    "a": "AE", "e": "EH", "i": "IH", "o": "AA", "u": "AH", "y": "Y",
    "b": "B", "c": "K", "d": "D", "f": "F", "g": "G", "h": "HH", "j": "JH", "k": "K",
    "l": "L", "m": "M", "n": "N", "p": "P", "q": "K", "r": "R", "s": "S", "t": "T",
    "v": "V", "w": "W", "x": "K S", "z": "Z",
}  # fmt: skip
_LONGEST = max(len(k.strip("^$")) for k in _RULES)
_SOFT = re.compile(r"c(?=[eiy])")
_VOWEL = re.compile(r"[aeiouy]")


def spelled(word: str) -> str:
    """The word said letter by letter ("scm" → "EH S S IY EH M")."""
    return " ".join(_LETTERS[ch] for ch in word if ch in _LETTERS)


def letter_to_sound(word: str, *, name: bool = False) -> str:
    """A pronunciation for a lower-case word of letters (an empty string for anything else).
    A short or vowelless word is an abbreviation, spelled, unless it is a `name` ("Kaz")."""
    if not word.isascii() or not word.isalpha():
        return ""
    word = word.lower()
    if not name and (len(word) <= 3 or not _VOWEL.search(word)):
        return spelled(word)
    word = _SOFT.sub("s", word)
    word = re.sub(r"([bcdfgklmnprstvz])\1", r"\1", word)  # doubled consonants are said once
    phones: list[str] = []
    i = 0
    while i < len(word):
        for n in range(min(_LONGEST, len(word) - i), 0, -1):
            piece = word[i : i + n]
            keys = []
            if i == 0:
                keys.append("^" + piece)
            if i + n == len(word):
                keys.append(piece + "$")
            keys.append(piece)
            sound = next((_RULES[k] for k in keys if k in _RULES), None)
            if sound is not None:
                if sound:
                    phones.append(sound)
                i += n
                break
        else:
            i += 1
    return " ".join(phones)

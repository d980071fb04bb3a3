"""Vietnamese text in one place: normalisation, folding for search, sort keys.

- `nfc` is applied to every piece of text on the way in.
- `fold` is what search compares: no tone or vowel marks, đ/Đ as d, case folded, single spaces.
- `sort_key` and `person_sort_key` give strings whose plain binary order is Vietnamese
  dictionary order, word by word (a ă â b c d đ e ê …; where the letters of a word are the
  same, tones decide: ngang, huyền, hỏi, ngã, sắc, nặng);
  they are stored in columns with binary collation so the database sorts and paginates by them.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# The combining diacritical marks block (every Vietnamese tone and vowel mark is in it).
_COMBINING = dict.fromkeys(range(0x0300, 0x0370))

# Combining marks that carry the tone, in dictionary order (ngang has none).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Marks that make a separate letter of the alphabet.
_LETTER_MARKS = {"\u0306": "breve", "\u0302": "circumflex", "\u031b": "horn"}

_ALPHABET = [
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m",
    "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]  # fmt: skip
# Each letter becomes one printable ASCII character, in alphabet order ('0' = 0x30 upwards).
_RANK = {letter: chr(0x30 + i) for i, letter in enumerate(_ALPHABET)}
_WORD_SEP = "\x01"  # ends a word's tones: "An" sorts before "An Bình"
_LEVEL_SEP = "\x02"  # below every letter: "An" sorts before "Anh" (never NUL: PostgreSQL)


# Characters that no name, title or description needs and that hide or reorder text: NUL and
# the other control characters (tab and line breaks excepted), zero-width characters, and the
# bidirectional embeddings, overrides and isolates ("Trojan source" tricks).
_INVISIBLE = dict.fromkeys(
    [
        *(c for c in range(0x20) if chr(c) not in "\t\n\r"),
        *range(0x7F, 0xA0),
        0x061C, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0x2061, 0x2062,
        0x2063, 0x2064, 0xFEFF,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
)  # fmt: skip


def strip_invisible(value: str) -> str:
    """`value` without control, zero-width and bidi-control characters."""
    return value.translate(_INVISIBLE)


def has_surrogates(value: str) -> bool:
    """True when `value` holds a lone UTF-16 surrogate, which no database can store."""
    return any("\ud800" <= ch <= "\udfff" for ch in value)


def nfc(value: str) -> str:
    """Vietnamese text as users mean it: NFC, no invisible characters, no surrounding
    whitespace. Every piece of text goes through here on the way in (forms, API, imports)."""
    return unicodedata.normalize("NFC", value.translate(_INVISIBLE)).strip()


def clean_line(value: str) -> str:
    """One-line text (names, titles): NFC with runs of whitespace made single spaces."""
    return _SPACES.sub(" ", nfc(value))


def fold(value: str) -> str:
    """The search form of text: no diacritics, đ/Đ as d, case folded, single spaces."""
    stripped = unicodedata.normalize("NFD", value).translate(_COMBINING)
    if not stripped.isascii():  # marks outside the common block, other scripts
        stripped = "".join(ch for ch in stripped if unicodedata.category(ch) != "Mn")
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped.casefold()).strip()


def _letters_and_tones(word: str) -> tuple[str, str]:
    """The letters of one word as alphabet ranks, and its tones as digits."""
    letters: list[str] = []
    tones: list[str] = []
    for base in unicodedata.normalize("NFC", word.casefold()):
        parts = unicodedata.normalize("NFD", base)
        head, marks = parts[0], parts[1:]
        tone = 0
        letter = head
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif mark in _LETTER_MARKS:
                letter = unicodedata.normalize("NFC", letter + mark)
        if letter in _RANK:
            letters.append(_RANK[letter])
        elif letter.isalnum():
            letters.append("~" + letter)
        else:
            continue  # punctuation does not take part in the order
        tones.append(str(tone))
    return "".join(letters), "".join(tones)


def _key(words: list[str]) -> str:
    # Syllable by syllable, as dictionaries do: each word's letters, then its tones, so every
    # "Anh" comes before every "Ánh" whatever follows, and "An Bình" before "Àn".
    return _WORD_SEP.join(
        letters + _LEVEL_SEP + tones for letters, tones in map(_letters_and_tones, words)
    )


def sort_key(value: str) -> str:
    """Dictionary order of a unit name or title."""
    return _key(clean_line(value).split(" "))[:250]


def person_sort_key(full_name: str) -> str:
    """Vietnamese order of people: by given name (the last word), then family and middle names."""
    words = clean_line(full_name).split(" ")
    if len(words) > 1:
        words = [words[-1], *words[:-1]]
    return _key(words)[:250]


def split_full_name(full_name: str) -> tuple[str, str]:
    """(family and middle names, given name) of a Vietnamese full name."""
    words = clean_line(full_name).split(" ")
    return " ".join(words[:-1]), words[-1]


def normalise_phone(phone: str) -> str:
    """Digits only, with a leading + kept; Vietnamese +84 written as 0."""
    phone = nfc(phone)
    digits = re.sub(r"[^0-9+]", "", phone)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    return digits


def scripts(value: str) -> list[str]:
    """The writing systems of the letters in `value`, in order of first use ("LATIN",
    "CYRILLIC", "GREEK", …); digits, marks and punctuation belong to none. Every Vietnamese
    letter is Latin (ă, ơ, ư, đ and the toned vowels included)."""
    found: list[str] = []
    for ch in unicodedata.normalize("NFC", value):
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        script = name.split(" ")[0] if name else "UNKNOWN"
        if script not in found:
            found.append(script)
    return found

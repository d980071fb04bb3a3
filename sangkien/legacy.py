"""Vietnamese text typed in the 8-bit font encodings of the 1990s and 2000s, recognised and
converted to Unicode.

Old office files still carry text typed with the ABC (TCVN3) or VNI keyboards and fonts: the
cell holds Latin-1 characters that only looked Vietnamese on screen because the font drew
them so. Opened today, a cell shows "C«ng ®oµn" (TCVN3, fonts .VnTime, .VnArial) or
"Coâng ñoaøn" (VNI, fonts VNI-Times) where "Công đoàn" was meant.

- TCVN3 (TCVN 5712:1993, the VN3 set used by the ABC fonts): one character per letter; the
  base letters ă â ê ô ơ ư đ and their capitals sit at 0xA1–0xAE, and the 60 lower-case
  letters with a tone at 0xB5–0xFE. Capitals with a tone do not exist in VN3: the capital
  fonts (.VnTimeH) draw the lower-case codes as capitals, so a text (or a word) whose plain
  letters, at least two, are all capitals is converted to capitals ("§OµN" → "ĐOÀN").
- VNI (VNI for Windows): a base letter followed by a mark character (â for a circumflex,
  ù for the acute tone, ø for the grave, … one character for a circumflex or breve with a
  tone); ơ ư đ ỉ ĩ ị ì í ỵ are single characters (ô ö ñ æ ó ò ì í î).

The tables are built here from those rules; nothing is loaded at run time.

`detect(text)` answers "tcvn3", "vni" or None. It looks only at text made entirely of
Latin-1 characters with at least one of them above ASCII (Unicode Vietnamese nearly always
has a letter outside Latin-1, and plain ASCII has nothing to convert), and only at words
that hold such a character. `confidence(text, encoding)` is the share of those words that
become Vietnamese syllables once converted, or 0 when the words are already Vietnamese as
they stand ("Công ty", "Võ Thị Hà" are valid Unicode made of Latin-1 letters); a syllable is
checked by `is_syllable` (onset, vowel cluster, final consonant, and the rule that a
syllable ending in c, ch, p or t carries the acute or the dot-below tone). Callers convert
when the confidence reaches `CERTAIN` and otherwise ask the user to convert the file.
"""

from __future__ import annotations

import re
import unicodedata

TCVN3 = "tcvn3"
VNI = "vni"
ENCODINGS = (TCVN3, VNI)
CERTAIN = 0.9  # share of the suspect words that must become Vietnamese to convert silently
SUSPECT = 0.5  # below this share, the text is not taken for legacy text at all

# Combining marks: tones in the order huyền, hỏi, ngã, sắc, nặng, then the vowel marks.
GRAVE, HOOK, TILDE, ACUTE, DOT = "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"
TONES = (GRAVE, HOOK, TILDE, ACUTE, DOT)
CIRCUMFLEX, BREVE, HORN = "\u0302", "\u0306", "\u031b"


def _compose(base: str, *marks: str | None) -> str:
    return unicodedata.normalize("NFC", base + "".join(m for m in marks if m))


# -- TCVN3 -------------------------------------------------------------------------------

_TCVN3_BASES = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
}  # fmt: skip
# Each vowel with the five tones (huyền, hỏi, ngã, sắc, nặng), by code.
_TCVN3_TONED = {
    "a": (0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
TCVN3_TO_UNICODE: dict[str, str] = {chr(code): letter for code, letter in _TCVN3_BASES.items()}
for _vowel, _codes in _TCVN3_TONED.items():
    for _tone, _code in zip(TONES, _codes, strict=True):
        TCVN3_TO_UNICODE[chr(_code)] = _compose(_vowel, _tone)
UNICODE_TO_TCVN3: dict[str, str] = {u: t for t, u in TCVN3_TO_UNICODE.items()}

# -- VNI ---------------------------------------------------------------------------------

# Letters typed as one character.
_VNI_SINGLE_LOWER = {"ñ": "đ", "ô": "ơ", "ö": "ư", "ì": "ì", "í": "í", "æ": "ỉ", "ó": "ĩ",
                     "ò": "ị", "î": "ỵ"}  # fmt: skip
_VNI_SINGLE_UPPER = {"Ñ": "Đ", "Ô": "Ơ", "Ö": "Ư", "Ì": "Ì", "Í": "Í", "Æ": "Ỉ", "Ó": "Ĩ",
                     "Ò": "Ị", "Î": "Ỵ"}  # fmt: skip
VNI_SINGLE = {**_VNI_SINGLE_LOWER, **_VNI_SINGLE_UPPER}
# Marks typed after the vowel: (vowel mark, tone).
_VNI_MARKS_LOWER: dict[str, tuple[str | None, str | None]] = {
    "ø": (None, GRAVE), "û": (None, HOOK), "õ": (None, TILDE), "ù": (None, ACUTE),
    "ï": (None, DOT),
    "â": (CIRCUMFLEX, None), "à": (CIRCUMFLEX, GRAVE), "å": (CIRCUMFLEX, HOOK),
    "ã": (CIRCUMFLEX, TILDE), "á": (CIRCUMFLEX, ACUTE), "ä": (CIRCUMFLEX, DOT),
    "ê": (BREVE, None), "è": (BREVE, GRAVE), "ú": (BREVE, HOOK), "ü": (BREVE, TILDE),
    "é": (BREVE, ACUTE), "ë": (BREVE, DOT),
}  # fmt: skip
VNI_MARKS: dict[str, tuple[str | None, str | None]] = {
    **_VNI_MARKS_LOWER,
    **{k.upper(): v for k, v in _VNI_MARKS_LOWER.items()},
}
_VNI_MARK_FOR = {v: k for k, v in _VNI_MARKS_LOWER.items()}
_VNI_SINGLE_FOR = {v: k for k, v in VNI_SINGLE.items()}
_VOWELS = set("aeiouyAEIOUY")
_MARKABLE = {CIRCUMFLEX: set("aeoAEO"), BREVE: set("aA")}


def _vni_apply(previous: str, mark: str) -> str | None:
    """`previous` with a VNI mark applied, or None when the mark cannot go on it."""
    vowel_mark, tone = VNI_MARKS[mark]
    parts = unicodedata.normalize("NFD", previous)
    base, marks = parts[0], parts[1:]
    if base not in _VOWELS:
        return None
    if tone and any(m in TONES for m in marks):
        return None
    if vowel_mark:
        if base not in _MARKABLE[vowel_mark] or any(m in (CIRCUMFLEX, BREVE, HORN) for m in marks):
            return None
        marks += vowel_mark
    return _compose(base, marks, tone)


def _vni_to_unicode(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch in VNI_MARKS and out:
            applied = _vni_apply(out[-1], ch)
            if applied is not None:
                out[-1] = applied
                continue
        out.append(VNI_SINGLE.get(ch, ch))
    return "".join(out)


def _all_capitals(text: str) -> bool:
    plain = [ch for ch in text if ch.isascii() and ch.isalpha()]
    return len(plain) >= 2 and all(ch.isupper() for ch in plain)


def _tcvn3_to_unicode(text: str) -> str:
    converted = "".join(TCVN3_TO_UNICODE.get(ch, ch) for ch in text)
    if converted == text:
        return text
    if _all_capitals(text):  # typed for a capital font (.VnTimeH)
        return converted.upper()
    words = re.split(r"(\s+)", text)
    return "".join(
        "".join(TCVN3_TO_UNICODE.get(ch, ch) for ch in word).upper()
        if _all_capitals(word)
        else "".join(TCVN3_TO_UNICODE.get(ch, ch) for ch in word)
        for word in words
    )


def convert(text: str, encoding: str) -> str:
    """`text` read as `encoding` ("tcvn3" or "vni"), as NFC Unicode."""
    if encoding == TCVN3:
        converted = _tcvn3_to_unicode(text)
    elif encoding == VNI:
        converted = _vni_to_unicode(text)
    else:
        raise ValueError(f"unknown encoding {encoding!r}")
    return unicodedata.normalize("NFC", converted)


def encode(text: str, encoding: str) -> str:
    """Unicode Vietnamese as it would be typed in `encoding` (the inverse of `convert`).

    TCVN3 has no capitals with a tone: those are written with the lower-case code, as the
    capital fonts did. Characters outside Vietnamese are kept."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if encoding == TCVN3:
            out.append(UNICODE_TO_TCVN3.get(ch) or UNICODE_TO_TCVN3.get(ch.lower(), ch))
            continue
        if encoding != VNI:
            raise ValueError(f"unknown encoding {encoding!r}")
        if ch in _VNI_SINGLE_FOR:
            out.append(_VNI_SINGLE_FOR[ch])
            continue
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        tone = next((m for m in marks if m in TONES), None)
        vowel_mark = next((m for m in marks if m in (CIRCUMFLEX, BREVE)), None)
        if HORN in marks:  # ơ ư with a tone: the horned letter, then the tone
            out.append(_VNI_SINGLE_FOR[_compose(base, HORN)])
            if tone:
                mark = _VNI_MARK_FOR[(None, tone)]
                out.append(mark if base.islower() else mark.upper())
            continue
        if not marks or base not in _VOWELS:
            out.append(ch)
            continue
        mark = _VNI_MARK_FOR[(vowel_mark, tone)]
        out.append(base + (mark if base.islower() else mark.upper()))
    return "".join(out)


# -- Vietnamese syllables ----------------------------------------------------------------

_ONSETS = ("", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n",
           "ng", "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x")  # fmt: skip
_CODAS = ("", "c", "ch", "m", "n", "ng", "nh", "p", "t")
_STOPS = ("c", "ch", "p", "t")
# Vowel groups (with their glides) that end the syllable, that need a final consonant, or
# that may have one.
_OPEN_ONLY = {"ai", "ao", "au", "âu", "ay", "ây", "eo", "êu", "iu", "oi", "ôi", "ơi", "ui",
              "ưi", "ưu", "uôi", "ươi", "ươu", "iêu", "yêu", "oai", "oay", "oao", "oeo",
              "uây", "uyu", "ia", "ua", "ưa", "uya", "uơ", "uai", "uay", "uao", "ueo"}  # fmt: skip
_CLOSED_ONLY = {"ă", "â", "iê", "yê", "uô", "ươ", "oă", "uâ", "uyê", "oo", "uă"}
_EITHER = {"a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "oe", "uê", "uy", "ue",
           "ua"}  # fmt: skip
_PALATAL_CODAS = ("ch", "nh")
_PALATAL_VOWELS = {"a", "ê", "i", "y", "oa", "uê", "uy", "ua", "ue"}
_FRONT = ("e", "ê", "i", "y")


def _rhyme_ok(rest: str, onset: str, tone: str | None) -> bool:
    for coda in _CODAS:
        if coda and not rest.endswith(coda):
            continue
        vowels = rest[: len(rest) - len(coda)] if coda else rest
        if not vowels:
            continue
        if coda:
            if vowels not in _CLOSED_ONLY and vowels not in _EITHER:
                continue
            if coda in _PALATAL_CODAS and vowels not in _PALATAL_VOWELS:
                continue
            if coda in _STOPS and tone not in (ACUTE, DOT):
                continue
        elif vowels not in _OPEN_ONLY and vowels not in _EITHER:
            continue
        # "qu" is only written with its own u: "quốc" is qu + ôc, never q + uôc.
        if onset == "qu" and vowels[0] in "uo":
            continue
        front = vowels.startswith(_FRONT)
        if onset in ("k", "gh", "ngh") and not front:
            continue
        if onset in ("c", "g", "ng") and front:
            continue
        return True
    return False


def is_syllable(word: str) -> bool:
    """Whether `word` (one word, any case, NFC or NFD) is a well-formed Vietnamese syllable:
    an onset, a vowel group and a final consonant that go together, at most one tone, and
    only the acute or dot-below tone after a final c, ch, p or t."""
    tone: str | None = None
    letters: list[str] = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in TONES:
            if tone is not None or not letters:
                return False
            tone = ch
        elif ch in (CIRCUMFLEX, BREVE, HORN):
            if not letters:
                return False
            letters[-1] += ch
        elif unicodedata.combining(ch) or not ch.isalpha() or not ch.isascii():
            if ch != "đ":
                return False
            letters.append(ch)
        else:
            letters.append(ch)
    base = unicodedata.normalize("NFC", "".join(letters))
    if not base or any(ch in "fjwz" for ch in base):
        return False
    for onset in _ONSETS:
        if not base.startswith(onset):
            continue
        rest = base[len(onset) :]
        if onset == "gi" and not rest.startswith(
            ("a", "ă", "â", "e", "ê", "o", "ô", "ơ", "u", "ư")
        ):
            rest = "i" + rest  # "gì", "gìn": the i of gi is also the vowel
        if _rhyme_ok(rest, onset, tone):
            return True
    return False


# -- recognising legacy text ---------------------------------------------------------------

# Words: runs of anything but spaces and the ASCII punctuation that separates words. The
# legacy letters themselves look like punctuation (¬ « ® ¸), so Unicode classes do not help.
_WORDS = re.compile(r"[^\s!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]+")


def _suspect_words(text: str) -> list[str]:
    """Words of two characters or more with a character above ASCII (a lone "×" or "©"
    says nothing)."""
    return [
        w for w in _WORDS.findall(text) if len(w) > 1 and any(0x80 <= ord(ch) <= 0xFF for ch in w)
    ]


_BEYOND_LATIN1 = re.compile(r"[^\x00-\xff]")


def _could_be_legacy(text: str) -> bool:
    return not text.isascii() and _BEYOND_LATIN1.search(text) is None


def _share_of_syllables(words: list[str]) -> float:
    return sum(1 for w in words if is_syllable(w)) / len(words) if words else 0.0


def confidence(text: str, encoding: str) -> float:
    """How sure it is that `text` was typed in `encoding`: the share (0–1) of its words with
    non-ASCII letters that become Vietnamese syllables once converted; 0 when the text is
    not made of Latin-1 characters or already reads as Vietnamese."""
    if not _could_be_legacy(text):
        return 0.0
    words = _suspect_words(text)
    if not words:
        return 0.0
    converted = [convert(w, encoding) for w in words]
    after = _share_of_syllables(converted)
    if after <= _share_of_syllables(words):
        return 0.0
    return after


def detect(text: str) -> str | None:
    """ "tcvn3" or "vni" when `text` looks typed in that encoding, else None (plain ASCII,
    Unicode Vietnamese, NFC or not, and other languages are never taken for legacy text)."""
    if not _could_be_legacy(text):
        return None
    best, best_score = None, SUSPECT
    for encoding in ENCODINGS:
        score = confidence(text, encoding)
        if score >= best_score and (best is None or score > best_score):
            best, best_score = encoding, score
    return best


def readable(text: str) -> str:
    """`text` converted when it is certainly legacy text, else unchanged (for reading headers
    and row labels, where a question to the user would not help)."""
    encoding = detect(text)
    if encoding is not None and confidence(text, encoding) >= CERTAIN:
        return convert(text, encoding)
    return text

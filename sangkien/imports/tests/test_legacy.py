"""TCVN3 and VNI text recognised and converted; Unicode, English and other languages left alone."""

from __future__ import annotations

import unicodedata

import pytest

from sangkien import legacy
from sangkien.legacy import TCVN3, VNI

PHRASES = [
    "Công đoàn cơ sở Công ty Cổ phần Mía đường Lam Sơn",
    "Nguyễn Thị Hương",
    "Liên đoàn Lao động tỉnh Thanh Hóa",
    "Sáng kiến cải tiến kỹ thuật",
    "Trường THPT Chu Văn An",
    "Giảm tiêu hao điện năng ở phân xưởng may số 2",
    "gì gìn giữ quyết khuya thuở người nghiệp",
]


@pytest.mark.parametrize("phrase", PHRASES)
@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_round_trip(phrase, encoding):
    typed = legacy.encode(phrase, encoding)
    assert typed != phrase and all(ord(ch) <= 0xFF for ch in typed)
    assert legacy.detect(typed) == encoding
    assert legacy.confidence(typed, encoding) == 1.0
    assert legacy.convert(typed, encoding) == phrase
    assert legacy.readable(typed) == phrase


def test_what_old_files_show():
    assert legacy.encode("Công đoàn", TCVN3) == "C«ng ®oµn"
    assert legacy.encode("Nguyễn", TCVN3) == "NguyÔn"
    assert legacy.encode("Thanh Hóa", TCVN3) == "Thanh Hãa"
    assert legacy.encode("Chương", TCVN3) == "Ch\xad¬ng"  # ư is a soft hyphen: "Ch¬ng"
    assert legacy.encode("Công đoàn", VNI) == "Coâng ñoaøn"
    assert legacy.encode("Nguyễn", VNI) == "Nguyeãn"
    assert legacy.encode("Thanh Hóa", VNI) == "Thanh Hoùa"
    assert legacy.encode("Trường", VNI) == "Tröôøng"
    for typed, encoding, meant in [
        ("C«ng ®oµn", TCVN3, "Công đoàn"),
        ("NguyÔn", TCVN3, "Nguyễn"),
        ("Thanh Hãa", TCVN3, "Thanh Hóa"),
        ("Coâng ñoaøn", VNI, "Công đoàn"),
        ("Nguyeãn", VNI, "Nguyễn"),
        ("Thanh Hoùa", VNI, "Thanh Hóa"),
    ]:
        assert legacy.detect(typed) == encoding
        assert legacy.convert(typed, encoding) == meant


def test_capitals():
    # VNI has capitals with tones; TCVN3 wrote them with the lower-case codes in a capital
    # font, so text whose plain letters are all capitals becomes capitals.
    title = "LIÊN ĐOÀN LAO ĐỘNG TỈNH THANH HÓA"
    assert legacy.encode(title, VNI) == "LIEÂN ÑOAØN LAO ÑOÄNG TÆNH THANH HOÙA"
    assert legacy.encode(title, TCVN3) == "LI£N §OµN LAO §éNG TØNH THANH HãA"
    for encoding in (TCVN3, VNI):
        assert legacy.convert(legacy.encode(title, encoding), encoding) == title
    assert legacy.convert("C«ng ty Cæ phÇn", TCVN3) == "Công ty Cổ phần"  # "Cæ" stays small


@pytest.mark.parametrize(
    "text",
    [
        "Hello world",
        "Total 1,500,000",
        "Công ty",  # Unicode made of Latin-1 letters only: already Vietnamese
        "Võ Thị Hà",
        "Mía",
        "Công đoàn Công ty CP Giày Sao Vàng",
        "Nguyễn Thị Hương",
        unicodedata.normalize("NFD", "Nguyễn Thị Hương"),
        unicodedata.normalize("NFD", "Công ty"),
        "Café Noël, Señor Zürich, naïve résumé",
        "25°C, ½ kg, © 2022, 3 × 4",
        "",
    ],
)
def test_never_taken_for_legacy(text):
    assert legacy.detect(text) is None
    assert legacy.confidence(text, TCVN3) == 0.0
    assert legacy.confidence(text, VNI) == 0.0
    assert legacy.readable(text) == text


def test_uncertain_text_is_detected_but_not_certain():
    text = "C«ng ®oµn Çxz ¸qw"
    assert legacy.detect(text) == TCVN3
    assert legacy.confidence(text, TCVN3) == 0.5
    assert legacy.readable(text) == text  # not converted


@pytest.mark.parametrize(
    "word",
    ["a", "anh", "người", "nghiệp", "quyết", "khuya", "thuở", "gì", "gìn", "giữ", "kỹ", "Hóa",
     "Hoá", "xoong", "uống", "yêu", "oanh", "ếch", "huỳnh", "Đông"],
)  # fmt: skip
def test_syllables(word):
    assert legacy.is_syllable(word)
    assert legacy.is_syllable(unicodedata.normalize("NFD", word))


@pytest.mark.parametrize(
    "word",
    ["Coâng", "ủoaứn", "Hãa", "cat", "ngi", "ci", "ka", "cafe", "film", "THPT", "aàb", "anhh",
     "2ì3", "quo", "hèp"],
)  # fmt: skip
def test_not_syllables(word):
    # "cat", "hèp": a final c, ch, p or t takes the acute or dot-below tone; "ngi", "ci",
    # "ka", "quo": onsets that are not written before those vowels.
    assert not legacy.is_syllable(word)

from __future__ import annotations

import unicodedata

import pytest

from sangkien import text
from sangkien.text import clean_line, fold, nfc, person_sort_key, sort_key, split_full_name


def decomposed(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_nfc_composes_decomposed_input():
    typed = decomposed("Nguyễn Thị Hoà")
    assert typed != "Nguyễn Thị Hoà"  # as some keyboards and macOS send it
    assert nfc(typed) == unicodedata.normalize("NFC", "Nguyễn Thị Hoà")
    assert unicodedata.is_normalized("NFC", nfc(typed))


def test_nfc_strips_surrounding_whitespace():
    assert nfc("  Thanh Hóa\n") == "Thanh Hóa"


def test_clean_line_makes_single_spaces():
    assert clean_line(decomposed(" Liên  đoàn\tLao động ")) == "Liên đoàn Lao động"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đông Sơn", "dong son"),
        ("ĐẮK LẮK", "dak lak"),
        ("Thanh Hóa", "thanh hoa"),
        ("Nguyễn Thị Ánh", "nguyen thi anh"),
        ("Ưng Hoàng Phúc", "ung hoang phuc"),
        ("  Bà   Rịa – Vũng Tàu ", "ba ria – vung tau"),
        ("TH-KCN-001", "th-kcn-001"),
    ],
)
def test_fold_removes_marks_d_stroke_and_case(text, folded):
    assert fold(text) == folded


def test_fold_treats_composed_and_decomposed_alike():
    assert fold(decomposed("Đắk Nông")) == fold("Đắk Nông") == "dak nong"


def test_dictionary_order_puts_letters_before_tones():
    # All tone variants of a spelling come together, ngang huyền hỏi ngã sắc nặng, before any
    # longer or later spelling; ă and â are letters of their own after a.
    words = ["Ân", "Ạn", "Anh", "Ăn", "Án", "An", "Ãn", "Ánh", "Àn", "Ản"]
    assert sorted(words, key=sort_key) == [
        "An", "Àn", "Ản", "Ãn", "Án", "Ạn", "Anh", "Ánh", "Ăn", "Ân",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("An", "Anh"),
        ("Anh", "Ánh"),
        ("An", "Ăn"),
        ("Ăn", "Ân"),
        ("Dũng", "Đạt"),  # đ is its own letter after d
        ("Du", "Dư"),
        ("Ô", "Ơ"),
        ("Ê", "F"),
        ("Hà", "Hả"),
        ("Hả", "Hã"),
        ("Hã", "Há"),
        ("Há", "Hạ"),
    ],
)
def test_sort_key_pairs(before, after):
    assert sort_key(before) < sort_key(after)


def test_sort_key_is_case_and_normalisation_blind():
    assert sort_key("THANH HÓA") == sort_key("thanh hóa") == sort_key(decomposed("Thanh Hóa"))


def test_unit_names_sort_word_by_word():
    names = [
        "Công đoàn Trường THPT Chu Văn An",
        "Công ty Bia Thanh Hóa",
        "Công đoàn Công ty CP Giày Sao Vàng",
        "Công đoàn các Khu công nghiệp Thanh Hóa",
        "Công",
    ]
    assert sorted(names, key=sort_key) == [
        "Công",
        "Công đoàn các Khu công nghiệp Thanh Hóa",
        "Công đoàn Công ty CP Giày Sao Vàng",
        "Công đoàn Trường THPT Chu Văn An",
        "Công ty Bia Thanh Hóa",
    ]


def test_a_shorter_name_sorts_before_its_longer_form():
    assert sort_key("Sơn") < sort_key("Sơn La") < sort_key("Sơna")


def test_people_sort_by_given_name_then_family_and_middle_names():
    people = [
        "Trần Văn Bình",
        "Nguyễn Thị Ánh",
        "Lê Văn An",
        "Phạm Thị Anh",
        "Nguyễn Văn An",
        "Đỗ Thị Ân",
        "Bùi Văn Ăn",
    ]
    assert sorted(people, key=person_sort_key) == [
        "Lê Văn An",
        "Nguyễn Văn An",
        "Phạm Thị Anh",
        "Nguyễn Thị Ánh",
        "Bùi Văn Ăn",
        "Đỗ Thị Ân",
        "Trần Văn Bình",
    ]


def test_people_with_the_same_given_name_sort_by_family_name():
    assert person_sort_key("Đặng Văn Hùng") > person_sort_key("Dương Văn Hùng")
    assert person_sort_key("Lê Hùng") < person_sort_key("Lê Văn Hùng")


def test_person_sort_key_of_a_single_word():
    assert person_sort_key("Hoa") == sort_key("Hoa")


def test_sort_keys_fit_their_column():
    assert len(sort_key("Công đoàn " * 100)) <= 250
    assert len(person_sort_key("Nguyễn " * 100)) <= 250


def test_split_full_name():
    assert split_full_name(" Nguyễn  Thị Minh Khai ") == ("Nguyễn Thị Minh Khai"[:-5], "Khai")
    assert split_full_name("Hoa") == ("", "Hoa")


@pytest.mark.parametrize(
    "raw",
    [
        "Cải\u200btiến",  # zero-width space
        "Cải\u200d\u200ctiến",  # joiners
        "\ufeffCải\u2060tiến",  # BOM, word joiner
        "Cải\u202etiến",  # right-to-left override
        "Cải\u2066\u2069tiến",  # isolates
        "Cải\x00tiến",  # NUL
        "Cải\x07\x1b\x7f\x85tiến",  # control characters
    ],
)
def test_nfc_drops_invisible_and_control_characters(raw):
    assert text.nfc(raw) == "Cảitiến"
    assert text.clean_line(raw) == "Cảitiến"


def test_nfc_keeps_tabs_and_line_breaks_inside_text():
    assert text.nfc("Dòng 1\nDòng 2\r\n\tthụt lề") == "Dòng 1\nDòng 2\r\n\tthụt lề"


def test_lone_surrogates_are_told():
    assert text.has_surrogates("a\ud800b")
    assert not text.has_surrogates("Đông Sơn 😀")

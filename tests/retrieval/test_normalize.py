"""Title normalisation: the spellings people write meet O*NET's wording in one form."""

from __future__ import annotations

import unicodedata

import pytest

from retrieval.normalize import fold, normalize_title, text_tokens, title_tokens, uninvert


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("ASST MGR", "assistant manager"),
        ("Asst. Mgr.", "assistant manager"),
        ("Sr Software Engr", "senior software engineer"),
        ("Jr. Accountant", "junior accountant"),
        ("Store Mgr", "store manager"),
        ("RN", "registered nurse"),
        ("LPN", "licensed practical nurse"),
        ("Maint Tech", "maintenance technician"),
    ],
)
def test_abbreviations_are_spelled_out(written: str, expected: str) -> None:
    assert normalize_title(written) == expected


def test_an_abbreviation_meets_the_title_it_stands_for() -> None:
    assert normalize_title("RN") == normalize_title("Registered Nurse")
    assert normalize_title("LPN") == normalize_title("Licensed Practical Nurse")
    assert normalize_title("Sr. Cashier") == normalize_title("Senior Cashier")


def test_abbreviations_written_with_dots_meet_the_title_they_stand_for() -> None:
    """Write-ins often dot their initials; "R.N." is the same job as "RN"."""
    assert normalize_title("R.N.") == normalize_title("RN")
    assert normalize_title("L.P.N.") == normalize_title("LPN")


@pytest.mark.parametrize("word", ["Secretary", "Engraver", "Technologist", "Directory Clerk", "Laborer"])
def test_words_that_merely_begin_like_an_abbreviation_are_left_alone(word: str) -> None:
    assert normalize_title(word) == fold(word)


@pytest.mark.parametrize(
    ("plural", "single"),
    [
        ("Cashiers", "Cashier"),
        ("Registered Nurses", "Registered Nurse"),
        ("Retail Salespersons", "Retail Salesperson"),
        ("Sewing Machine Operators", "Sewing Machine Operator"),
        ("Secretaries", "Secretary"),
        ("Boxes Packer", "Box Packer"),
        ("Salesmen", "Salesman"),
    ],
)
def test_plural_and_singular_titles_normalise_equal(plural: str, single: str) -> None:
    assert normalize_title(plural) == normalize_title(single)


@pytest.mark.parametrize("word", ["Waitress", "Bus Driver", "Boss", "Analysis Clerk", "Campus Guard"])
def test_words_ending_in_s_that_are_not_plurals_keep_their_s(word: str) -> None:
    assert normalize_title(word) == fold(word)


@pytest.mark.parametrize(
    ("inverted", "expected"),
    [
        ("SALESPERSON, SHOES", "shoe salesperson"),
        ("NURSE, GENERAL DUTY", "general duty nurse"),
        ("Cooks, Restaurant", "restaurant cook"),
        ("OPERATOR, SEWING MACHINE", "sewing machine operator"),
    ],
)
def test_dot_style_inverted_titles_are_turned_round(inverted: str, expected: str) -> None:
    assert normalize_title(inverted) == expected


def test_inverted_title_equals_its_natural_word_order() -> None:
    assert normalize_title("DRIVER, TRUCK") == normalize_title("Truck Driver")
    assert normalize_title("Salesperson, Shoes") == normalize_title("Shoe Salesperson")


def test_a_parenthesised_qualifier_stays_after_the_uninverted_title() -> None:
    assert uninvert("SALESPERSON, SHOES (retail trade)") == "SHOES SALESPERSON (retail trade)"
    assert normalize_title("SALESPERSON, SHOES (retail trade)") == "shoe salesperson retail trade"


def test_a_comma_with_nothing_on_one_side_does_not_invert() -> None:
    assert uninvert("Cashier,") == "Cashier,"
    assert normalize_title(", Cashier") == "cashier"


@pytest.mark.parametrize(
    ("levelled", "plain"),
    [
        ("Engineer II", "Engineer"),
        ("Software Developer III", "Software Developer"),
        ("Accountant IV", "Accountant"),
        ("Cashier 2", "Cashier"),
        ("Level 3 Technician", "Technician"),
        ("Nurse I", "Nurse"),
    ],
)
def test_roman_numerals_and_levels_are_dropped(levelled: str, plain: str) -> None:
    assert normalize_title(levelled) == normalize_title(plain)


def test_levels_are_kept_when_asked() -> None:
    assert title_tokens("Engineer II", drop_levels=False) == ["engineer", "ii"]


def test_longer_numbers_are_not_levels() -> None:
    assert normalize_title("911 Dispatcher") == "911 dispatcher"


@pytest.mark.parametrize(
    ("accented", "plain"),
    [
        ("Café Cashier", "cafe cashier"),
        ("SOUS-CHEF", "sous chef"),
        ("Pâtissier", "patissier"),
        ("Señor Cook", "senor cook"),
    ],
)
def test_accents_and_case_are_folded(accented: str, plain: str) -> None:
    assert normalize_title(accented) == plain


def test_fold_lowercases_and_strips_accents_without_losing_letters() -> None:
    assert fold("ÉCOLE Ingénieur") == "ecole ingenieur"


def test_case_does_not_matter() -> None:
    assert normalize_title("REGISTERED NURSE") == normalize_title("registered nurse") == normalize_title("Registered Nurse")


def test_separators_split_words() -> None:
    assert normalize_title("Tractor-Trailer Driver") == "tractor trailer driver"
    assert normalize_title("Cook/Chef") == "cook chef"
    assert normalize_title("Food & Beverage Manager") == "food beverage manager"


def test_stop_words_do_not_count_as_title_words() -> None:
    assert normalize_title("Physicians, All Other") == "physician"
    assert normalize_title("Director of Nursing") == "director nursing"


def test_empty_and_punctuation_only_titles_normalise_to_nothing() -> None:
    assert normalize_title("") == ""
    assert normalize_title(" ,.-/ ") == ""


def test_text_tokens_fold_singularise_and_drop_stop_words_without_expanding_abbreviations() -> None:
    assert text_tokens("The Nurses record patients' vital signs, RN on duty") == [
        "nurse", "record", "patient", "vital", "sign", "rn", "duty",
    ]


@pytest.mark.parametrize("text", ["Registered Nurse", "CASHER  - retail\tstore", "R.N. (hospital) 24/7", ""])
def test_plain_ascii_folds_as_the_full_unicode_path_would(text: str) -> None:
    """Plain ASCII takes a short cut; it must give what decomposing and dropping accents gives."""
    slow = unicodedata.normalize("NFKD", text)
    slow = "".join(ch for ch in slow if not unicodedata.combining(ch)).encode("ascii", "ignore").decode().lower()
    assert fold(text) == slow


def test_accents_and_ligatures_still_fold_to_plain_letters() -> None:
    assert fold("Café Barista") == "cafe barista"
    assert fold("Maître d'hôtel") == "maitre d'hotel"
    assert fold("ﬁnance Ｃｌｅｒｋ") == "finance clerk"
    assert text_tokens("Pâtissière") == ["patissiere"]


@pytest.mark.parametrize(("written", "expected"), [
    ("IS Manager", "information system manager"),  # not the bare "manager" that every generic query meets
    ("OR Nurse", "operating room nurse"),
    ("AT Pinsetter Mechanic", "at pinsetter mechanic"),
    ("IS MANAGER", "manager"),  # a write-in in capitals says nothing by its case
    ("Nurse or Aide", "nurse aide"),
])
def test_capitalised_abbreviations_spelt_like_stop_words_are_kept(written: str, expected: str) -> None:
    assert normalize_title(written) == expected

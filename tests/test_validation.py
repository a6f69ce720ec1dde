import pytest

from bot.conversation import validation
from bot.conversation.model import Option, fold, match_option
from bot.conversation.split import split_text
from bot.domain.codes import normalize_code


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("0386-123-456", "0386123456"),
        ("02393856789", "02393856789"),  # a Hà Tĩnh landline
    ],
)
def test_vietnamese_phone_numbers_are_normalised(typed, expected):
    assert validation.phone(typed) == expected


@pytest.mark.parametrize("typed", ["12345", "0112345678", "09123456789", "abc", "+1 202 555 0100", ""])
def test_wrong_phone_numbers_are_refused(typed):
    with pytest.raises(validation.Invalid):
        validation.phone(typed)


def test_question_needs_fifteen_characters_and_at_most_the_limit():
    with pytest.raises(validation.Invalid) as short:
        validation.question_text("  ngắn quá  ", 15, 3000)
    assert (short.value.reason, short.value.value, short.value.limit) == ("too_short", 8, 15)
    with pytest.raises(validation.Invalid) as long:
        validation.question_text("a" * 10_000, 15, 3000)
    assert (long.value.reason, long.value.value) == ("too_long", 10_000)
    assert (
        validation.question_text("  Đường thôn Trung bị hỏng nặng  ", 15, 3000)
        == "Đường thôn Trung bị hỏng nặng"
    )


def test_question_made_of_emoji_or_digits_only_is_refused():
    with pytest.raises(validation.Invalid):
        validation.question_text("🙂" * 20, 15, 3000)
    with pytest.raises(validation.Invalid):
        validation.question_text("1234567890123456", 15, 3000)


def test_names_and_addresses():
    assert validation.person_name("  Nguyễn   Văn  An ") == "Nguyễn Văn An"
    with pytest.raises(validation.Invalid):
        validation.person_name("1")
    with pytest.raises(validation.Invalid):
        validation.person_name("x" * 101)
    assert validation.address("Thôn  Trung Sơn") == "Thôn Trung Sơn"
    with pytest.raises(validation.Invalid):
        validation.address("--")


def test_typed_answers_match_options_with_or_without_diacritics():
    options = [Option("yes", "✅ Đồng ý"), Option("no", "Không đồng ý"), Option("x", "Đất đai")]
    assert match_option("1", options).value == "yes"
    assert match_option("3", options).value == "x"
    assert match_option("4", options) is None
    assert match_option("dat dai", options).value == "x"
    assert match_option("KHÔNG ĐỒNG Ý", options).value == "no"
    assert match_option("đồng ý", options) is None or match_option("đồng ý", options).value in ("yes", "no")
    assert fold("Đường  Làng, xóm!") == "duong lang xom"


def test_tracking_codes_are_read_however_they_are_typed():
    assert normalize_code("td-26-0042") == "TD-26-0042"
    assert normalize_code("TD 26 42") == "TD-26-0042"
    assert normalize_code("td260042") == "TD-26-0042"
    assert normalize_code("xin chào") is None


def test_long_text_splits_at_sentence_boundaries_without_losing_anything():
    sentence = "Đường liên thôn bị sạt lở nghiêm trọng. "
    text = sentence * 150
    parts = split_text(text, 2000)
    assert all(len(p) <= 2000 for p in parts)
    assert len(parts) == 3
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts).split() == text.split()


def test_short_text_is_not_split():
    assert split_text("xin chào", 2000) == ["xin chào"]

"""Bytes to clean NFC text: charsets in every order, entities, NFD, mojibake."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import lxml.html
import pytest

from crawler.parsers.html import inline_text, parse_html, select
from crawler.parsers.text import (
    charset_from_header,
    charset_from_meta,
    decode_html,
    detect_mojibake,
    is_vietnamese_syllable,
    normalize_line,
    normalize_text,
    strip_diacritics,
)
from tests.conftest import shared_corpus

FIXTURES = Path(__file__).parent / "fixtures" / "text"
TITLE = "Thủ tướng Chính phủ chủ trì Phiên họp thứ bảy"
BODY = (
    "Chiều ngày 02/02/2024, Thủ tướng Chính phủ Phạm Minh Chính chủ trì phiên họp thứ bảy "
    "của Ban Chỉ đạo cải cách hành chính của Chính phủ nhằm đánh giá kết quả cải cách hành "
    "chính năm 2023, bàn phương hướng, nhiệm vụ năm 2024."
)


def page_text(name: str, content_type: str | None = None) -> tuple[str, str, str]:
    """(encoding used, h1, first paragraph) of a fixture page, through the real parser path."""
    root, encoding = parse_html((FIXTURES / name).read_bytes(), content_type)
    return encoding, inline_text(select(root, "h1")[0]), inline_text(select(root, "p")[0])


# --- decoding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "encoding"),
    [
        ("cp1258.html", "text/html; charset=windows-1258", "cp1258"),  # header
        ("meta-cp1258.html", None, "cp1258"),  # meta, content before http-equiv
        ("no-charset-utf8.html", None, "utf-8"),  # nothing declared, UTF-8 is tried
        ("cp1258.html", None, "cp1258"),  # nothing declared: detection reads Vietnamese
        ("cp1252-entities.html", None, "cp1252"),  # detection: windows-1252, not 1250 or 1258
        ("utf16le-no-bom.html", None, "utf-16-le"),
        # Wrong headers: a single-byte label on a UTF-8 page, UTF-8 on a windows-1258 page.
        ("no-charset-utf8.html", "text/html; charset=ISO-8859-1", "utf-8"),
        ("meta-cp1258.html", "text/html; charset=utf-8", "cp1258"),
        ("cp1258.html", "text/html; charset=utf-8", "cp1258"),
    ],
)
def test_every_page_decodes_to_the_same_text(name, content_type, encoding):
    assert page_text(name, content_type) == (encoding, TITLE, BODY)


def test_a_header_beats_the_meta_and_names_follow_browsers():
    assert charset_from_header("text/html; charset=windows-1258") == "cp1258"
    assert charset_from_header("text/html;charset='UTF-8'") == "utf-8"
    assert charset_from_header("text/html; charset=ISO-8859-1") == "cp1252"  # as browsers do
    assert charset_from_header("text/html; charset=no-such-thing") is None
    assert charset_from_header(None) is None


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<meta content="text/html; charset=UTF-8" http-equiv="content-type">', "utf-8"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">', "cp1258"),
        (b'<meta charset="tcvn">', None),  # no codec: left to detection
        (b"<META CHARSET=utf-8>", "utf-8"),
        (b'<meta charset="utf-16">', "utf-8"),  # readable as ASCII, so not UTF-16
        (b'<?xml version="1.0" encoding="windows-1258"?><html>', "cp1258"),
        (b'<meta name="description" content="charset">', None),
        (b"<p>charset=utf-8</p>", None),  # only inside a meta tag
    ],
)
def test_meta_charset_in_either_attribute_order(head, expected):
    page = head if head.startswith(b"<?xml") else b"<html><head>" + head + b"</head></html>"
    assert charset_from_meta(page) == expected


def test_meta_far_into_a_long_head_is_found():
    head = b"<script>" + b"var x = 1;" * 2000 + b"</script>"
    body = b"<html><head>" + head + b'<meta content="text/html; charset=windows-1258"></head>'
    assert charset_from_meta(body) == "cp1258"


def test_byte_order_marks_win():
    text = "<p>Hà Nội</p>"
    for codec, name in (("utf-8-sig", "utf-8"), ("utf-16", "utf-16-le"), ("utf-32", "utf-32-le")):
        assert decode_html(text.encode(codec), "text/html; charset=windows-1252") == (text, name)


def test_mostly_utf8_with_a_stray_byte_stays_utf8():
    body = ("<p>" + BODY + "</p>").encode() + b"\x96"
    text, encoding = decode_html(body, "text/html; charset=utf-8")
    assert encoding == "utf-8"
    assert text == "<p>" + BODY + "</p>\ufffd"


def test_str_passes_through_and_empty_bytes_decode():
    assert decode_html("<p>Hà Nội</p>") == ("<p>Hà Nội</p>", "str")
    assert decode_html(b"") == ("", "utf-8")


# --- entities and normalisation -------------------------------------------------------------


def test_entities_numeric_bodies_combining_marks_and_lost_ampersands():
    root, _ = parse_html((FIXTURES / "entities.html").read_bytes())
    assert root.findtext(".//title") == "Th&#7911; t&#432;&#7899;ng".replace(
        "&#7911;", "ủ"
    ).replace("&#432;&#7899;", "ướ")
    texts = {p.get("id"): inline_text(p) for p in select(root, "p")}
    assert texts == {
        "numeric": BODY,
        "combining": "Bà con trồng lúa, cần cù và chắc chắn.",
        "lost-amp": "Chương trình 08-Ctr/TU về “Đẩy mạnh cải cách hành chính” và Bộ phận một cửa",
    }
    assert all(unicodedata.is_normalized("NFC", t) for t in texts.values())


def test_double_escaped_entities_in_a_page():
    root, _ = parse_html(b"<p>A &amp;ndash; B &amp;ldquo;C&amp;rdquo; tr&amp;ocirc;ng</p>")
    assert inline_text(select(root, "p")[0]) == "A – B “C” trông"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("tr&ocirc;\u0300ng", "trồng"),
        ("&#7897;i", "ội"),
        ("về ldquo;Đẩy mạnhrdquo;", "về “Đẩy mạnh”"),
        ("A &ndash; B", "A – B"),  # what lxml hands over for a double-escaped "&amp;ndash;"
        ("Trocirc;ng", "Trông"),
        ("B#7897; phận", "Bộ phận"),
        ("Phòng #12; và salt;", "Phòng #12; và salt;"),  # not entities: left alone
        ("  Hà\u00a0 Nội \n\n\n\n Việt\tNam ", "Hà Nội\n\nViệt Nam"),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_normalize_line_and_strip_diacritics():
    assert normalize_line("Hội\n\nnghị  \u00a0 Đắk Lắk") == "Hội nghị Đắk Lắk"
    assert strip_diacritics("Đắk Lắk HĐND") == "dak lak hdnd"
    assert strip_diacritics(unicodedata.normalize("NFD", "Đồng Tháp")) == "dong thap"


def test_strip_diacritics_char_by_char_is_what_folding_the_whole_text_gives():
    """Folded one character at a time (for speed), text must come out as the definition,
    applied to the whole text, gives: marks composed or not, cases that fold to two letters."""

    def whole_text(text: str) -> str:
        text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        return "".join(c for c in text if not unicodedata.combining(c)).casefold()

    rng = random.Random(7)
    samples = ["ΣΑΣ ß ﬁ İ ǅ Å Ω K Ǆ", "Hoà hòa HOÀ", unicodedata.normalize("NFD", "Ưởng Đặng")]
    for _ in range(3000):
        pools = [(0x20, 0x7E), (0xC0, 0x24F), (0x300, 0x36F), (0x1E00, 0x1EFF), (0, 0x2FFFF)]
        samples.append(
            "".join(chr(rng.randint(*rng.choice(pools))) for _ in range(rng.randint(0, 20)))
        )
    for text in samples:
        assert strip_diacritics(text) == whole_text(text), repr(text)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("nghiêng", True),
        ("Người", True),
        ("quyết", True),
        ("khuỷu", True),
        ("gì", True),
        (unicodedata.normalize("NFD", "trồng"), True),
        ("Thñ", False),
        ("ChÝnh", False),
        ("tráº¡ng", False),
        ("Müller", False),
        ("hoá", True),
        ("hóa", True),
        ("hoáá", False),
        ("ắá", False),  # two tones
    ],
)
def test_is_vietnamese_syllable(word, expected):
    assert is_vietnamese_syllable(word) is expected


# --- mojibake -------------------------------------------------------------------------------


def fixture_paragraph(name: str) -> str:
    root, _ = parse_html((FIXTURES / name).read_bytes())
    return inline_text(select(root, "p")[1])


def test_tcvn3_text_is_flagged():
    text = fixture_paragraph("tcvn3.html")
    assert text.startswith("ChiÒu ngµy 02/02/2024, Thñ t\u00adíng ChÝnh phñ Ph¹m Minh")
    assert detect_mojibake(text) == "tcvn3"
    assert detect_mojibake("Thñ t\u00adíng ChÝnh phñ") == "tcvn3"


def test_vni_text_is_flagged():
    text = fixture_paragraph("vni.html")
    assert text.startswith("Chieàu ngaøy 02/02/2024, Thuû töôùng Chính phuû")
    assert detect_mojibake(text) == "vni"
    assert detect_mojibake("Thuû töôùng Chính phuû") == "vni"


def test_utf8_read_as_latin1_is_flagged():
    assert detect_mojibake("Tráº¡ng thÃ¡i") == "latin1-utf8"
    garbled = BODY.encode("utf-8").decode("cp1252", "replace")
    assert detect_mojibake(garbled) == "latin1-utf8"


@pytest.mark.parametrize(
    "text",
    [
        BODY,
        unicodedata.normalize("NFD", BODY),
        TITLE.upper(),
        "Where are you? Hello world",
        "Où est la gare ? Là où l'été est très chaud, à côté du café, près de l'hôpital où",
        "Müller öffnet die Tür für Jürgen; Größe, Straße, schön über Übung.",
        "El niño comió piñata en España, año señor mañana.",
        "Nhiệt độ 35°C © 2024 Sở Nội vụ «Tin mới» – giá 1.000 € ± 5%",
        "Đắk Lắk, Kon Tum, Ea H'leo, Pác Bó, Bắc Kạn, Hà Nội, thuỷ, hoà",
        "",
    ],
)
def test_proper_text_is_not_mojibake(text):
    assert detect_mojibake(text) is None


def test_sample_portal_articles_are_not_mojibake():
    from archive.sample_portal.render import SamplePortal

    for article in SamplePortal().articles:
        text = " ".join(b.get("text", "") for b in article["blocks"])
        assert detect_mojibake(article["title"] + " " + text) is None, article["slug"]


# --- the real pages in ../shared ------------------------------------------------------------


def test_real_meta_order_trap():
    """Liferay's meta (content before http-equiv): lxml given bytes falls back to Latin-1."""
    raw = (shared_corpus() / "sotttt-hanoi-404-meta-order.html").read_bytes()
    naive_title = lxml.html.fromstring(raw).findtext(".//title")
    assert naive_title.startswith("Tráº¡ng thÃ¡i - ")
    assert detect_mojibake(naive_title) == "latin1-utf8"
    _, encoding = decode_html(raw)
    assert encoding == "utf-8"
    root, _ = parse_html(raw)
    assert root.findtext(".//title") == "Trạng thái - Sở Thông Tin Và Truyền Thông"
    assert [inline_text(h) for h in select(root, "h1, h2, h3")][:2] == [
        "Trạng thái",
        "Không tìm thấy",
    ]
    assert detect_mojibake(inline_text(root)) is None


def test_real_nfd_portlet_titles_become_nfc():
    raw = (shared_corpus() / "sotttt-hanoi-home.html").read_bytes()
    root, _ = parse_html(raw)
    decomposed = [
        e
        for e in select(root, "span.portlet-title-text")
        if not unicodedata.is_normalized("NFC", e.text or "")
    ]
    assert {unicodedata.normalize("NFC", e.text) for e in decomposed} == {
        "thủ tục hành chính cấp sở",
        "Văn bản mới",
    }
    assert {inline_text(e) for e in decomposed} == {"thủ tục hành chính cấp sở", "Văn bản mới"}


def test_real_lost_ampersand_in_a_listing_summary():
    raw = (shared_corpus() / "sotttt-hanoi-listing-lay-y-kien.html").read_bytes()
    root, _ = parse_html(raw)
    [summary] = [e for e in select(root, "div.asset-summary") if "ldquo" in (e.text or "")]
    assert inline_text(summary) == (
        "Là một trong những đề án quan trọng của Thành phố để thực hiện Chương trình 08-Ctr/TU"
        " về “Đẩy mạnh cải cách hành chính, nâng cao trách nhiệm và chất lượng phục vụ của đội"
        " ngũ cán bộ,..."
    )


def test_real_footer_mixing_utf8_and_numeric_entities():
    raw = (shared_corpus() / "sotttt-hanoi-duong-day-nong.html").read_bytes()
    assert b"B&#7897; ph&#7853;n ti&#7871;p nh&#7853;n" in raw
    root, _ = parse_html(raw)
    assert [inline_text(p) for p in select(root, "div.footleft p")] == [
        "Địa chỉ: Số 185 Giảng Võ, Quận Đống Đa, Thành phố Hà Nội - Điện thoại: (024) 35123536;"
        " Fax: (025) 37366617;",
        "Bộ phận tiếp nhận hồ sơ giải quyết TTHC (Một cửa): (024) 37367115; Email:"
        " tiepnhanykien_sotttt@hanoi.gov.vn ® Ghi rõ nguồn: “Cổng thông tin điện tử Sở Thông tin"
        " và Truyền thông Thành phố Hà Nội ” khi phát hành lại thông tin từ nguồn này.",
    ]


def test_no_real_page_is_flagged_as_mojibake():
    for path in sorted(shared_corpus().glob("*.html")):
        root, encoding = parse_html(path.read_bytes())
        assert (path.name, encoding, detect_mojibake(inline_text(root))) == (
            path.name,
            "utf-8",
            None,
        )


# --- detection on generated pages -----------------------------------------------------------

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _cp1258(text: str) -> bytes:
    """windows-1258 bytes: letters with circumflex, breve, horn composed; tones combining."""
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out.append((base + "".join(c for c in parts if c in _TONES)).encode("cp1258"))
    return b"".join(out)


def _cp1252_with_entities(text: str) -> bytes:
    return "".join(c if c.encode("cp1252", "ignore") else f"&#{ord(c)};" for c in text).encode(
        "cp1252"
    )


@pytest.mark.parametrize("length", [60, 200, 1000, 5000])
@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (_cp1258, "cp1258"),
        (_cp1252_with_entities, "cp1252"),
        (lambda text: text.encode("utf-16-le"), "utf-16-le"),
        (lambda text: text.encode("utf-16-be"), "utf-16-be"),
    ],
    ids=["cp1258", "cp1252-entities", "utf16le", "utf16be"],
)
def test_detection_without_any_declaration(encode, encoding, length):
    text = ((BODY + " ") * 40)[:length]
    page = f"<html><head><title>{TITLE}</title></head><body><p>{text}</p></body></html>"
    body = encode(page)
    decoded, used = decode_html(body)
    assert used == encoding
    assert decoded == body.decode(encoding)

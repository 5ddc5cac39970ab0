"""Document numbers in titles and bodies: every field of every reference, and no false ones."""

from __future__ import annotations

import unicodedata

import pytest

from crawler.parsers.docrefs import DocRef, find_doc_refs, fold_doc_ref, normalize_doc_ref

# (text, [(ref, type, number, year, issuer, span as written)])
POSITIVES = [
    (
        "Thực hiện Quyết định số 439/QĐ-TTg của Thủ tướng Chính phủ",
        [("439/QĐ-TTg", "Quyết định", "439", None, "TTg", "Quyết định số 439/QĐ-TTg")],
    ),
    (
        "Quyết định số 439/QĐ-TTg ngày 15/8/2023 của Thủ tướng",
        [("439/QĐ-TTg", "Quyết định", "439", 2023, "TTg", "Quyết định số 439/QĐ-TTg")],
    ),
    (
        "Nghị định 178/2024/NĐ-CP về chính sách, chế độ",
        [("178/2024/NĐ-CP", "Nghị định", "178", 2024, "CP", "Nghị định 178/2024/NĐ-CP")],
    ),
    (
        "Kế hoạch 12/KH-UBND ngày 3 tháng 4 năm 2024 của UBND tỉnh",
        [("12/KH-UBND", "Kế hoạch", "12", 2024, "UBND", "Kế hoạch 12/KH-UBND")],
    ),
    (
        "Kế hoạch số 45/KH-SNV",
        [("45/KH-SNV", "Kế hoạch", "45", None, "SNV", "Kế hoạch số 45/KH-SNV")],
    ),
    (
        "Thông tư 22/2023/TT-BTTTT",
        [("22/2023/TT-BTTTT", "Thông tư", "22", 2023, "BTTTT", "Thông tư 22/2023/TT-BTTTT")],
    ),
    (
        "Nghị quyết 18-NQ/TW ngày 25/10/2017 của Ban Chấp hành Trung ương",
        [("18-NQ/TW", "Nghị quyết", "18", 2017, "TW", "Nghị quyết 18-NQ/TW")],
    ),
    (
        "theo Luật Lưu trữ số 33/2024/QH15,",
        [("33/2024/QH15", "Luật", "33", 2024, "QH15", "Luật Lưu trữ số 33/2024/QH15")],
    ),
    (
        "Công văn số 1942/BTTTT-CVT",
        [("1942/BTTTT-CVT", "Công văn", "1942", None, "BTTTT", "Công văn số 1942/BTTTT-CVT")],
    ),
    (
        "liên quan đến người dân theo Đề án 06, tăng cường kết nối",
        [("Đề án 06", "Đề án", "06", None, None, "Đề án 06")],
    ),
    (
        "Đề án số 06/ĐA-UBND",
        [("06/ĐA-UBND", "Đề án", "06", None, "UBND", "Đề án số 06/ĐA-UBND")],
    ),
    (
        "Chỉ thị 05/CT-TTg",
        [("05/CT-TTg", "Chỉ thị", "05", None, "TTg", "Chỉ thị 05/CT-TTg")],
    ),
    # "QĐ" typed without the đ, and spaces around the separators.
    (
        "Quyết định số 959/QD-UBND",
        [("959/QĐ-UBND", "Quyết định", "959", None, "UBND", "Quyết định số 959/QD-UBND")],
    ),
    (
        "Quyết định số 959 / QĐ - UBND",
        [("959/QĐ-UBND", "Quyết định", "959", None, "UBND", "Quyết định số 959 / QĐ - UBND")],
    ),
    (
        "Nghị định 29/2023/ND-CP",
        [("29/2023/NĐ-CP", "Nghị định", "29", 2023, "CP", "Nghị định 29/2023/ND-CP")],
    ),
    # A code alone says the type; no words needed.
    (
        "(kèm theo 12/TB-VP)",
        [("12/TB-VP", "Thông báo", "12", None, "VP", "12/TB-VP")],
    ),
    # Party style, the mixed-case code of the real sotttt-hanoi listing.
    (
        "thực hiện Chương trình 08-Ctr/TU về ldquo;Đẩy mạnh",
        [("08-CTr/TU", "Chương trình", "08", None, "TU", "Chương trình 08-Ctr/TU")],
    ),
    # Party documents use QĐ for Quy định too: the words decide.
    (
        "Quy định số 102-QĐ/TW",
        [("102-QĐ/TW", "Quy định", "102", None, "TW", "Quy định số 102-QĐ/TW")],
    ),
    (
        "Thông tư liên tịch số 01/2015/TTLT-BNV-BTC",
        [
            (
                "01/2015/TTLT-BNV-BTC",
                "Thông tư liên tịch",
                "01",
                2015,
                "BNV-BTC",
                "Thông tư liên tịch số 01/2015/TTLT-BNV-BTC",
            )
        ],
    ),
    (
        "Nghị quyết số 12/2023/NQ-HĐND",
        [("12/2023/NQ-HĐND", "Nghị quyết", "12", 2023, "HĐND", "Nghị quyết số 12/2023/NQ-HĐND")],
    ),
    (
        "Nghị quyết số 202/2025/QH15 về sắp xếp",
        [("202/2025/QH15", "Nghị quyết", "202", 2025, "QH15", "Nghị quyết số 202/2025/QH15")],
    ),
    # A bare Assembly number may be a law or a resolution: no type is invented.
    ("căn cứ 33/2024/QH15", [("33/2024/QH15", None, "33", 2024, "QH15", "33/2024/QH15")]),
    (
        "Văn bản số 123/UBND-KGVX ngày 3/4/2024",
        [("123/UBND-KGVX", "Công văn", "123", 2024, "UBND", "123/UBND-KGVX")],
    ),
    # The nearest type word counts, and a code wins over words that disagree with it.
    (
        "Quyết định phê duyệt Kế hoạch 12/KH-UBND - UBND tỉnh ban hành",
        [("12/KH-UBND", "Kế hoạch", "12", None, "UBND", "Kế hoạch 12/KH-UBND")],
    ),
    (
        "Quyết định số 15/KH-UBND",
        [("15/KH-UBND", "Kế hoạch", "15", None, "UBND", "15/KH-UBND")],
    ),
    # A title citing two documents, in order.
    (
        "Triển khai Nghị định số 29/2023/NĐ-CP và Kế hoạch số 45/KH-SNV",
        [
            ("29/2023/NĐ-CP", "Nghị định", "29", 2023, "CP", "Nghị định số 29/2023/NĐ-CP"),
            ("45/KH-SNV", "Kế hoạch", "45", None, "SNV", "Kế hoạch số 45/KH-SNV"),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), POSITIVES, ids=[p[0][:40] for p in POSITIVES])
def test_references_with_every_field(text, expected):
    found = [(r.ref, r.type, r.number, r.year, r.issuer, r.text) for r in find_doc_refs(text)]
    assert found == expected


NEGATIVES = [
    "từ năm 2015 đến ngày 15/12/2023 cả nước tinh giản biên chế 84.140 người",
    "nâng tổng số thủ tục hành chính được phân cấp là 153/699 thủ tục hành chính, đạt 21,9%",
    "Điện thoại: 0983.570.009 - 02963.957.049 - (024) 35123536",
    "Địa chỉ: Số 15 Lê Triệu Kiết, phường Mỹ Bình, TP Long Xuyên",
    "08:37 06/02/2024 | 10:00 AM",
    "phòng chống COVID-19, HIV/AIDS; hỗ trợ 24/7; tốc độ 60 km/h; mạng 4G/5G",
    "Hệ thống quản lý chất lượng ISO 9001:2008 tại TP.HCM",
    "Đề án 2024 của trường",  # four digits: a year, not the short name of a programme
    "Kế hoạch năm 2024",
    "https://example.gov.vn/van-ban/123/qd-ubnd",
    "lớp 12/A1 và 12/A2",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_no_reference_in_dates_numbers_phones_and_addresses(text):
    assert find_doc_refs(text) == []


def test_decomposed_input_gives_the_same_references():
    text = "Quyết định số 439/QĐ-TTg và Đề án 06"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert find_doc_refs(nfd) == find_doc_refs(text)
    assert [r.ref for r in find_doc_refs(nfd)] == ["439/QĐ-TTg", "Đề án 06"]


def test_duplicates_keep_the_first_and_learn_the_year_from_a_later_one():
    text = (
        "Quyết định 1234/QĐ-UBND được triển khai. Theo Quyết định 1234/QĐ-UBND ngày 01/02/2020,"
        " Đề án 06 ... Đề án 06"
    )
    assert find_doc_refs(text) == [
        DocRef("1234/QĐ-UBND", "Quyết định", "1234", 2020, "UBND", "Quyết định 1234/QĐ-UBND"),
        DocRef("Đề án 06", "Đề án", "06", None, None, "Đề án 06"),
    ]


def test_as_dict_carries_the_folded_key():
    [ref] = find_doc_refs("Nghị định 178/2024/NĐ-CP")
    assert ref.as_dict() == {
        "ref": "178/2024/NĐ-CP",
        "type": "Nghị định",
        "number": "178",
        "year": 2024,
        "issuer": "CP",
        "text": "Nghị định 178/2024/NĐ-CP",
        "ref_folded": "178/2024/nd-cp",
    }


def test_empty_text():
    assert find_doc_refs("") == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("959/qd-ubnd", "959/QĐ-UBND"),
        ("959 / QĐ - UBND", "959/QĐ-UBND"),
        ("959/QD-UBND", "959/QĐ-UBND"),
        ("Quyết định số 439/QĐ-TTg", "439/QĐ-TTg"),
        ("439/qđ-ttg", "439/QĐ-TTg"),
        ("nghi dinh 178/2024", "178/2024/NĐ-CP"),
        ("178/2024/nd-cp", "178/2024/NĐ-CP"),
        ("de an 06", "Đề án 06"),
        ("Đề án 06", "Đề án 06"),
        ("33/2024/qh15", "33/2024/QH15"),
        ("Luật Lưu trữ số 33/2024/QH15", "33/2024/QH15"),
        ("18-nq/tw", "18-NQ/TW"),
        ("08-ctr/tu", "08-CTr/TU"),
        ("1942/btttt-cvt", "1942/BTTTT-CVT"),
        # No issuer: a prefix ending in "-", to match every issuer.
        ("quyet dinh 439", "439/QĐ-"),
        ("439/QĐ", "439/QĐ-"),
        ("thong tu 22/2023", "22/2023/TT-"),
        # Not references.
        ("hoi nghi", None),
        ("2024", None),
        ("15/12/2023", None),
        ("", None),
    ],
)
def test_normalize_what_journalists_type(typed, expected):
    assert normalize_doc_ref(typed) == expected


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("959/QĐ-UBND", "959/qd-ubnd"),
        ("06/ĐA-UBND", "6/da-ubnd"),
        ("06/DA-UBND", "6/da-ubnd"),  # typed without đ: Dự án and Đề án share the key
        ("Đề án 06", "de an 6"),
        ("18-NQ/TW", "18-nq/tw"),
        ("178/2024/NĐ-CP", "178/2024/nd-cp"),
    ],
)
def test_folded_key(written, folded):
    assert fold_doc_ref(written) == folded


def test_what_is_typed_and_what_is_found_share_the_folded_key():
    [found] = find_doc_refs("Quyết định số 06/QĐ-TTg ngày 06/01/2022")
    assert fold_doc_ref(normalize_doc_ref("6/qd-ttg")) == found.folded == "6/qd-ttg"

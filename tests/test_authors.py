"""Bylines at the end of an article: who wrote it, where it was taken from, and what is not one."""

from __future__ import annotations

import pytest

from crawler.parsers.authors import Byline, parse_byline

# (block text, styled, expected (author, source), or None when the block is no byline)
CASES = [
    # A lone name, plain or set apart.
    ("Mạnh Cường", False, ("Mạnh Cường", None)),
    ("Mạnh Cường", True, ("Mạnh Cường", None)),
    ("  Mạnh   Cường. ", False, ("Mạnh Cường", None)),
    ("Nguyễn Thị Ngọc Hạnh", False, ("Nguyễn Thị Ngọc Hạnh", None)),
    ("Nguyễn Văn A", False, ("Nguyễn Văn A", None)),
    ("N.T.Hà", True, None),  # glued initials: not a name we can read
    ("T. Hà", False, ("T. Hà", None)),
    ("MẠNH CƯỜNG", True, ("MẠNH CƯỜNG", None)),
    ("MẠNH CƯỜNG", False, None),  # plain all-capital lines are headings
    ("Hương", True, ("Hương", None)),  # one word: a pen name only when set apart
    ("Hương", False, None),
    # Labelled credits.
    ("Tin, ảnh: Duy Khánh", False, ("Duy Khánh", None)),
    ("Bài, ảnh: Trúc Ly", False, ("Trúc Ly", None)),
    ("Bài và ảnh: Trúc Ly", False, ("Trúc Ly", None)),
    ("Tin và ảnh: Ngọc Trâm", False, ("Ngọc Trâm", None)),
    ("Tin: Hữu Nghĩa - Ảnh: Minh Hiếu", False, ("Hữu Nghĩa, Minh Hiếu", None)),
    ("Tin: Hữu Nghĩa; ảnh: Minh Hiếu", False, ("Hữu Nghĩa, Minh Hiếu", None)),
    ("Thực hiện: Thanh Tâm", False, ("Thanh Tâm", None)),
    ("Tin: PV", False, ("PV", None)),
    ("Tin, ảnh: Minh Hiếu (Trung tâm Văn hóa tỉnh)", False, ("Minh Hiếu", None)),
    # Sources, not people.
    ("Nguồn: Báo An Giang", False, (None, "Báo An Giang")),
    ("Nguồn: Cổng TTĐT tỉnh An Giang", False, (None, "Cổng TTĐT tỉnh An Giang")),
    ("Nguồn tin: baochinhphu.vn", False, (None, "baochinhphu.vn")),
    ("Theo Báo An Giang", False, (None, "Báo An Giang")),
    ("(Theo TTXVN)", False, (None, "TTXVN")),
    ("Theo Tuổi Trẻ", False, (None, "Tuổi Trẻ")),
    ("Theo baochinhphu.vn", False, (None, "baochinhphu.vn")),
    ("Báo An Giang", True, (None, "Báo An Giang")),
    ("Minh Hiếu - Nguồn: Báo An Giang", False, ("Minh Hiếu", "Báo An Giang")),
    # Newsroom credits.
    ("PV", False, ("PV", None)),
    ("BBT", False, ("BBT", None)),
    ("Nhóm PV", False, ("Nhóm PV", None)),
    ("PV/CTV", False, ("PV/CTV", None)),
    ("Ban Biên tập", False, ("Ban Biên tập", None)),
    ("PV (tổng hợp)", False, ("PV", None)),
    ("Thanh Tâm (TH)", False, ("Thanh Tâm", None)),
    # Several names.
    ("Minh Hiếu, Thanh Tâm", False, ("Minh Hiếu, Thanh Tâm", None)),
    ("Minh Hiếu và Thanh Tâm", False, ("Minh Hiếu, Thanh Tâm", None)),
    ("Minh Hiếu - Thanh Tâm", False, ("Minh Hiếu, Thanh Tâm", None)),
    ("Minh Hiếu, Thanh Tâm và Quốc Huy", False, ("Minh Hiếu, Thanh Tâm, Quốc Huy", None)),
    # A person's unit is not an author; a unit alone is, when set apart.
    ("Mạnh Cường - Phòng CCHC", False, ("Mạnh Cường", None)),
    ("Mạnh Cường (Trung tâm Phục vụ hành chính công)", False, ("Mạnh Cường", None)),
    ("Phòng Cải cách hành chính", True, ("Phòng Cải cách hành chính", None)),
    ("Phòng Cải cách hành chính", False, None),
    ("Văn phòng Sở", True, ("Văn phòng Sở", None)),
    # The end mark of the last sentence is not part of a name.
    ("Mạnh Cường./.", False, ("Mạnh Cường", None)),
    # Sentences of the body.
    ("Ông Lê Văn Phước phát biểu.", False, None),
    ("Ông Lê Văn Phước", True, None),
    ("Theo kế hoạch, đến năm 2025 toàn tỉnh hoàn thành 100% chỉ tiêu.", False, None),
    ("Theo đó, các đơn vị triển khai ngay", False, None),
    ("Theo Thủ tướng Chính phủ Phạm Minh Chính", False, None),
    ("Phó Chủ tịch UBND tỉnh Lê Văn Phước", True, None),
    ("Trân trọng!", True, None),
    ("Đề nghị các đơn vị thực hiện.", False, None),
    # Captions and headings.
    ("Quang cảnh hội nghị", False, None),
    ("Quang cảnh hội nghị", True, None),
    ("Quang Cảnh Hội Nghị", True, None),
    ("Ảnh minh họa", True, None),
    ("Ảnh: Internet", False, None),
    ("Responsive image", True, None),
    ("Tin liên quan", True, None),
    ("TIN LIÊN QUAN", True, None),
    ("Thống kê truy cập", True, None),
    ("Xem thêm:", True, None),
    # Dates and places.
    ("An Giang, ngày 05/02/2024", False, None),
    ("08:37 06/02/2024", True, None),
    ("An Giang", True, None),
    ("Kiên Giang", False, None),
    ("Việt Nam", True, None),
    ("Thành phố Long Xuyên", True, None),
    ("Số 15 Lê Triệu Kiết", True, None),
    # Nothing, and too long to be a byline.
    ("", False, None),
    ("   ", True, None),
    ("Mạnh Cường " * 20, True, None),
]


@pytest.mark.parametrize(("text", "styled", "expected"), CASES, ids=[c[0][:30] for c in CASES])
def test_byline_table(text, styled, expected):
    byline = parse_byline(text, styled=styled)
    assert (None if byline is None else (byline.author, byline.source)) == expected


def test_table_is_big_enough():
    assert len([c for c in CASES if c[2]]) >= 40
    assert len([c for c in CASES if c[2] is None]) >= 25


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("Tin, ảnh:  Duy Khánh ", "Tin, ảnh: Duy Khánh"),
        ("(Theo TTXVN)", "(Theo TTXVN)"),
        ("Mạnh Cường./.", "Mạnh Cường"),
        ("Mạnh Cường - Phòng CCHC", "Mạnh Cường - Phòng CCHC"),
    ],
)
def test_text_is_the_byline_as_printed(text, printed):
    assert parse_byline(text).text == printed


def test_whole_record():
    assert parse_byline("Tin: Hữu Nghĩa - Ảnh: Minh Hiếu") == Byline(
        author="Hữu Nghĩa, Minh Hiếu", source=None, text="Tin: Hữu Nghĩa - Ảnh: Minh Hiếu"
    )

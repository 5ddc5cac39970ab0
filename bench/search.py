"""Benchmark ``vngov search`` on archives of synthetic Vietnamese government news.

Run by hand: ``.venv/bin/python bench/search.py [--sizes 100000 1000000] [--dir /tmp]``.
It builds (or reuses) ``/tmp/vngov-bench-N.db`` with the real schema and the real write path
(the FTS triggers index every row as the crawler's inserts do), then times typical queries in
the same run and prints a Markdown table of p50 and p95 latency:

- ``archive.search.search``: diacritic-insensitive FTS5 with phrase-first ranking, filters
  and highlighted snippets, which is what ``vngov search`` runs;
- a ``LIKE '%...%'`` scan of title and body (what a naive archive would do: it needs the
  diacritics typed exactly and reads every row);
- sqlite-utils' ``table.search()`` on the same FTS index (no folding of đ, no phrase
  ranking, no snippets).

The articles are generated from word lists of real government-news vocabulary (agencies,
programmes, document numbers, officials' names, provinces before and after the 2025 merger)
with a skewed topic distribution, so common queries match many rows as they would in a real
archive. Target: p95 under 50 ms at one million articles.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from archive.search import SearchFilters, search
from archive.storage import open_database

AGENCIES = [
    "UBND tỉnh",
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Kế hoạch và Đầu tư",
    "Sở Tư pháp",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Thông tin và Truyền thông",
    "Công an tỉnh",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Tài nguyên và Môi trường",
    "Sở Xây dựng",
    "Sở Giao thông vận tải",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Công Thương",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
    "Thanh tra tỉnh",
    "Ban Dân tộc",
    "HĐND tỉnh",
    "Ban Quản lý các khu công nghiệp",
    "Đài Phát thanh và Truyền hình",
    "Bộ Chỉ huy Quân sự tỉnh",
    "Liên đoàn Lao động tỉnh",
    "Tỉnh đoàn",
    "Hội Liên hiệp Phụ nữ tỉnh",
]
# Programmes and subjects, most common first: the skew makes some queries match many rows.
TOPICS = [
    "cải cách hành chính",
    "chuyển đổi số",
    "thủ tục hành chính",
    "xây dựng nông thôn mới",
    "Đề án 06",
    "dịch vụ công trực tuyến",
    "giảm nghèo bền vững",
    "phòng, chống tham nhũng",
    "an toàn giao thông",
    "giải ngân vốn đầu tư công",
    "tinh giản biên chế",
    "vị trí việc làm",
    "phòng chống thiên tai",
    "sạt lở bờ sông",
    "hòa giải ở cơ sở",
    "phổ biến, giáo dục pháp luật",
    "thi đua khen thưởng",
    "quy hoạch tỉnh",
    "sắp xếp đơn vị hành chính",
    "bảo hiểm xã hội",
    "y tế cơ sở",
    "tiêm chủng mở rộng",
    "tuyển sinh lớp 10",
    "khởi nghiệp đổi mới sáng tạo",
    "xúc tiến thương mại",
    "an toàn thực phẩm",
    "bảo vệ môi trường",
    "nước sạch nông thôn",
    "chuyển đổi cơ cấu cây trồng",
    "lúa chất lượng cao",
    "nuôi trồng thủy sản",
    "du lịch cộng đồng",
    "chính sách người có công",
    "bình đẳng giới",
    "đồng bào dân tộc thiểu số",
    "nhà ở xã hội",
    "phòng cháy chữa cháy",
    "quản lý văn bản điện tử",
    "chữ ký số",
    "kinh tế tập thể",
    "hợp tác xã kiểu mới",
    "đào tạo nghề cho lao động nông thôn",
    "xuất khẩu lao động",
    "chăm sóc sức khỏe ban đầu",
    "phòng chống dịch sốt xuất huyết",
    "cấp giấy chứng nhận quyền sử dụng đất",
    "bồi thường, giải phóng mặt bằng",
    "thu ngân sách nhà nước",
    "kiểm soát tài sản, thu nhập",
    "tiếp công dân",
    "giải quyết khiếu nại, tố cáo",
    "công tác dân vận",
    "quốc phòng toàn dân",
    "hiến máu tình nguyện",
    "khuyến học, khuyến tài",
    "thể dục thể thao quần chúng",
]
ACTIONS = [
    "triển khai",
    "tổ chức",
    "ban hành",
    "hướng dẫn",
    "kiểm tra",
    "tổng kết",
    "sơ kết",
    "tập huấn",
    "thực hiện",
    "phê duyệt",
    "công bố",
    "giám sát",
    "đánh giá",
    "tuyên truyền",
    "rà soát",
    "đẩy mạnh",
    "nâng cao hiệu quả",
    "tăng cường",
]
EVENTS = [
    "Hội nghị",
    "Hội thảo",
    "Lễ ký kết",
    "Buổi làm việc",
    "Đoàn công tác",
    "Lớp tập huấn",
    "Phiên họp thường kỳ",
    "Kỳ họp thứ",
    "Đại hội",
    "Lễ phát động",
]
DOC_TYPES = [
    ("Quyết định", "QĐ-UBND"),
    ("Kế hoạch", "KH-UBND"),
    ("Công văn", "UBND-NC"),
    ("Nghị định", "NĐ-CP"),
    ("Thông tư", "TT-BTTTT"),
    ("Thông tư", "TT-BNV"),
    ("Nghị quyết", "NQ-HĐND"),
    ("Chỉ thị", "CT-UBND"),
    ("Quyết định", "QĐ-TTg"),
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Hữu", "Quốc", "Ngọc", "Đức", "Hoàng", "Thành"]
GIVEN = [
    "Cường",
    "Hùng",
    "Lan",
    "Hòa",
    "Thủy",
    "Dũng",
    "Phương",
    "Tâm",
    "Hải",
    "Nam",
    "Khoa",
    "Đạt",
    "Trang",
    "Hạnh",
    "Tuấn",
    "Bình",
    "Sơn",
    "Nhung",
    "Thảo",
    "Quang",
]
ROLES = ["Giám đốc", "Phó Giám đốc", "Chủ tịch", "Phó Chủ tịch", "Chánh Văn phòng", "Trưởng phòng"]
PLACES = [
    "huyện Chợ Mới",
    "TP. Long Xuyên",
    "TP. Châu Đốc",
    "huyện Thoại Sơn",
    "thị xã Tân Châu",
    "huyện Phú Tân",
    "TP. Rạch Giá",
    "huyện Châu Thành",
    "xã Mỹ Hòa Hưng",
    "phường Mỹ Bình",
]
FILLER = [
    "Qua đó, góp phần nâng cao chất lượng phục vụ người dân và doanh nghiệp.",
    "Các đại biểu đã thảo luận, đóng góp nhiều ý kiến thiết thực.",
    "Đồng thời, kịp thời tháo gỡ khó khăn, vướng mắc phát sinh trong quá trình thực hiện.",
    "Kết quả cho thấy công tác phối hợp giữa các sở, ngành và địa phương ngày càng chặt chẽ.",
    "Bên cạnh những kết quả đạt được, vẫn còn một số hạn chế cần khắc phục trong thời gian tới.",
    "Lãnh đạo tỉnh ghi nhận, biểu dương những nỗ lực của tập thể cán bộ, công chức, viên chức.",
    "Trong thời gian tới, đơn vị tiếp tục rà soát, đơn giản hóa quy trình, "
    "rút ngắn thời gian xử lý.",
    "Hội nghị cũng đã khen thưởng các tập thể, cá nhân có thành tích xuất sắc.",
]
CATEGORIES = [
    "Tin hoạt động",
    "Cải cách hành chính",
    "Văn bản chỉ đạo điều hành",
    "Thông báo",
    "Tin địa phương",
    "Chính sách mới",
    "Tin chuyên ngành",
]
# (site id, agency, province then, province now): enough sites to make filters selective.
PROVINCES_THEN_NOW = [
    ("An Giang", "An Giang"),
    ("Kiên Giang", "An Giang"),
    ("Đồng Tháp", "Đồng Tháp"),
    ("Tiền Giang", "Đồng Tháp"),
    ("Cần Thơ", "Cần Thơ"),
    ("Hậu Giang", "Cần Thơ"),
    ("Sóc Trăng", "Cần Thơ"),
    ("Hà Nội", "Hà Nội"),
    ("Bắc Giang", "Bắc Ninh"),
    ("Thừa Thiên Huế", "Huế"),
    ("Lâm Đồng", "Lâm Đồng"),
    ("Đắk Nông", "Lâm Đồng"),
]


# Zipf-like weights (1/rank^0.8): the first topic is picked about 13% of the time.
TOPIC_WEIGHTS = list(itertools.accumulate(1 / rank**0.8 for rank in range(1, len(TOPICS) + 1)))


def _topic(rng: random.Random) -> str:
    """A topic, skewed as real news is: a few programmes fill most of the pages."""
    return rng.choices(TOPICS, cum_weights=TOPIC_WEIGHTS)[0]


def _doc(rng: random.Random, year: int) -> tuple[str, str]:
    kind, code = rng.choice(DOC_TYPES)
    number = rng.randint(1, 3000)
    ref = (
        f"{number}/{year}/{code}"
        if code.endswith(("CP", "BTTTT", "BNV", "TTg"))
        else (f"{number}/{code}")
    )
    return f"{kind} số {ref}", ref


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _article(rng: random.Random, index: int, sites: list[dict]) -> tuple[dict, list[str]]:
    site = sites[index % len(sites)]
    topic, other = _topic(rng), _topic(rng)
    year = rng.randint(2015, 2026)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    agency = site["agency"]
    doc_text, ref = _doc(rng, year)
    title = rng.choice(
        [
            f"{agency} {rng.choice(ACTIONS)} {topic} năm {year}",
            f"{rng.choice(EVENTS)} {rng.choice(ACTIONS)} {topic}",
            f"Công bố {doc_text} về {topic}",
            f"{rng.choice(ACTIONS).capitalize()} {topic} tại {rng.choice(PLACES)}",
        ]
    )
    summary = (
        f"Ngày {day}/{month}/{year}, {agency} {rng.choice(ACTIONS)} {topic} "
        f"trên địa bàn {site['province']}."
    )
    sentences = [summary]
    for _ in range(rng.randint(5, 12)):
        pick = rng.random()
        if pick < 0.25:
            sentences.append(
                f"Phát biểu tại {rng.choice(EVENTS).lower()}, ông {_name(rng)}, "
                f"{rng.choice(ROLES)} {rng.choice(AGENCIES)} đề nghị các cơ quan, đơn vị "
                f"tiếp tục {rng.choice(ACTIONS)} {rng.choice([topic, other])}."
            )
        elif pick < 0.45:
            sentences.append(
                f"Thực hiện {doc_text}, {rng.choice(AGENCIES)} đã {rng.choice(ACTIONS)} "
                f"{other} cho {rng.randint(20, 2000)} lượt cán bộ tại {rng.choice(PLACES)}."
            )
        elif pick < 0.6:
            sentences.append(
                f"Theo báo cáo, năm {year} toàn tỉnh có {rng.randint(1, 95)}% hồ sơ "
                f"{topic} được giải quyết đúng hạn."
            )
        else:
            sentences.append(rng.choice(FILLER))
    body = "\n".join([*sentences, _name(rng)])
    published = f"{year}-{month:02d}-{day:02d}T{rng.randint(7, 17):02d}:{rng.randint(0, 59):02d}"
    row = {
        "id": index + 1,
        "url_key": f"https://{site['id']}.gov.vn/tin/{index}",
        "url": f"https://{site['id']}.gov.vn/tin/{index}",
        "site": site["id"],
        "title": title,
        "category": rng.choice(CATEGORIES),
        "summary": summary,
        "body": body,
        "published_at": published + ":00+07:00",
        "published_text": f"{day:02d}/{month:02d}/{year}",
        "author": _name(rng),
        "images": "[]",
        "attachments": "[]" if rng.random() < 0.8 else '[{"url": "https://x/a.pdf"}]',
        "doc_refs": json.dumps([ref], ensure_ascii=False),
        # as storage does: after the merger, an article is published in the new province
        "province": site["province_now"] if year * 100 + month >= 202507 else site["province"],
        "province_now": site["province_now"],
        "status": "live",
        "content_hash": f"{index:064x}",
        "version": 1,
        "first_seen": f"{year}-{month:02d}-{day:02d}T12:00:00+00:00",
        "changed_at": f"{year}-{month:02d}-{day:02d}T12:00:00+00:00",
    }
    return row, [ref]


def _sites() -> list[dict]:
    sites = []
    for then, now in PROVINCES_THEN_NOW:
        for agency in AGENCIES[:8]:
            slug = f"{agency}-{then}".lower().replace(" ", "-")
            sites.append(
                {
                    "id": slug,
                    "name": f"{agency} {then}",
                    "agency": f"{agency} {then}",
                    "platform": "websphere",
                    "province": then,
                    "province_now": now,
                    "base_url": f"https://{slug}.gov.vn",
                }
            )
    return sites


def generate(count: int, seed: int = 5) -> Iterator[tuple[dict, list[str]]]:
    """``count`` synthetic articles with their cited document numbers, reproducibly."""
    rng = random.Random(seed)
    sites = _sites()
    for index in range(count):
        yield _article(rng, index, sites)


def _ref_folded(ref: str) -> str:
    return ref.replace("Đ", "D").replace("đ", "d").lower()


def build(path: Path, count: int) -> float:
    """Create the archive at ``path`` with ``count`` articles; returns the seconds it took."""
    started = time.perf_counter()
    db = open_database(path)
    db["sites"].insert_all(_sites(), pk="id")
    conn: sqlite3.Connection = db.conn
    columns = list(next(generate(1))[0])
    insert = (
        f"insert into articles ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})"
    )
    batch, refs = [], []
    for row, doc_refs in generate(count):
        batch.append([row[c] for c in columns])
        refs += [(row["id"], ref, _ref_folded(ref)) for ref in doc_refs]
        if len(batch) == 20_000:
            _flush(conn, insert, batch, refs)
            print(f"  {row['id']:,} articles", file=sys.stderr, end="\r")
    _flush(conn, insert, batch, refs)
    conn.execute("analyze")
    conn.close()
    return time.perf_counter() - started


def _flush(conn: sqlite3.Connection, insert: str, batch: list, refs: list) -> None:
    with conn:
        conn.executemany(insert, batch)
        conn.executemany(
            "insert or ignore into doc_refs (article_id, ref, ref_folded) values (?, ?, ?)", refs
        )
    batch.clear()
    refs.clear()


# (label, query, search() options, SQL the baselines add for the same filters)
KIEN_GIANG = "province = 'Kiên Giang'"
H1_2024 = "published_at >= '2024-01-01' and published_at < '2024-07-01'"
QUERIES: list[tuple[str, str, dict, str]] = [
    ("2 syllables, on a third of the pages", "hoi nghi", {}, ""),
    ("3 syllables", "chuyen doi so", {}, ""),
    ("5 syllables", "hoa giai o co so", {}, ""),
    ("4 syllables, with marks", "tinh giản biên chế", {}, ""),
    ("3 syllables + date filter", "dich vu cong", {"since": "2024", "until": "6/2024"}, H1_2024),
    ("2 syllables + old province", "sat lo", {"province": "kien giang"}, KIEN_GIANG),
    ("document number", "959/QĐ-UBND", {}, ""),
    ("a name", "nguyen van hung", {}, ""),
]
# Other modes, timed for vngov search only.
EXTRA: list[tuple[str, str, dict]] = [
    ("sorted by date", "hoi nghi", {"sort": "date"}),
    ("sorted by date, rare", "nguyen van hung", {"sort": "date"}),
    ("accent-exact", "hòa giải", {"exact": True}),
    ("accent-exact, no exact match", "hoa giai", {"exact": True}),
    ("cites a document", "", {"filters": SearchFilters(doc="959/qd-ubnd")}),
    (
        "agency + category",
        "cai cach",
        {"filters": SearchFilters(agency="so noi vu", category="thong bao")},
    ),
]
# What a LIKE scan must be given: the text with its diacritics, as printed.
LIKE_TEXT = {
    "hoi nghi": "hội nghị",
    "chuyen doi so": "chuyển đổi số",
    "hoa giai o co so": "hòa giải ở cơ sở",
    "tinh giản biên chế": "tinh giản biên chế",
    "dich vu cong": "dịch vụ công",
    "sat lo": "sạt lở",
    "959/QĐ-UBND": "959/QĐ-UBND",
    "nguyen van hung": "Nguyễn Văn Hùng",
}


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(func: Callable[[], list], repeat: int) -> tuple[float, float, int]:
    """(p50 ms, p95 ms, rows returned) of ``repeat`` calls after one warm-up call (the figures
    are for an archive in use, its pages in the OS cache, not a cold disk)."""
    hits = len(func())
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return (*percentiles(samples), hits)


def run(path: Path, repeat: int, like_repeat: int) -> tuple[list[dict], list[dict]]:
    """Time every query three ways, and the extra modes, on the archive at ``path``."""
    db = open_database(path)  # applies pending migrations (the date index) once
    table = db["articles"]
    rows = []
    for label, query, filters, where in QUERIES:
        wanted = SearchFilters(**filters)
        like = LIKE_TEXT[query]
        scan_sql = "select id from articles where (title like :t or body like :t)" + (
            f" and {where}" if where else ""
        )
        rows.append(
            {
                "label": label,
                "query": query,
                "filters": filters,
                "ours": timed(lambda q=query, f=wanted: search(db, q, filters=f), repeat),
                "plain": timed(
                    lambda q=query, w=where: list(
                        table.search(q, limit=20, quote=True, where=w or None)
                    ),
                    repeat,
                ),
                "like": timed(
                    lambda sql=scan_sql, t=like: db.execute(
                        sql + " limit 20", {"t": f"%{t}%"}
                    ).fetchall(),
                    like_repeat,
                ),
            }
        )
    extra = [
        {
            "label": label,
            "query": query,
            "ours": timed(lambda q=query, o=options: search(db, q, **o), repeat),
        }
        for label, query, options in EXTRA
    ]
    db.conn.close()
    return rows, extra


def _cell(figures: tuple[float, float, int]) -> str:
    p50, p95, hits = figures
    return f"{p50:.1f} / {p95:.1f} ({hits})"


def main() -> None:
    """Build the archives that are missing, time the queries, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--dir", type=Path, default=Path("/tmp"))
    parser.add_argument("--repeat", type=int, default=40, help="timed runs per query")
    parser.add_argument("--like-repeat", type=int, default=5, help="timed runs of LIKE scans")
    parser.add_argument("--rebuild", action="store_true", help="rebuild existing archives")
    args = parser.parse_args()
    print(
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}",
        file=sys.stderr,
    )
    for size in args.sizes:
        path = args.dir / f"vngov-bench-{size}.db"
        if args.rebuild or not path.exists():
            for leftover in path.parent.glob(path.name + "*"):
                leftover.unlink()
            seconds = build(path, size)
            print(
                f"built {path} ({size:,} articles) in {seconds:.0f} s, "
                f"{path.stat().st_size / 2**20:,.0f} MiB",
                file=sys.stderr,
            )
        rows, extra = run(path, args.repeat, args.like_repeat)
        print(f"\n### {size:,} articles ({path.stat().st_size / 2**20:,.0f} MiB)\n")
        print("p50 / p95 in ms (rows returned, at most 20)\n")
        print("| query | vngov search | sqlite-utils `search()` | LIKE scan |")
        print("|---|---|---|---|")
        for row in rows:
            filters = ", ".join(f"{k}={v}" for k, v in row["filters"].items())
            label = f"`{row['query']}`" + (f" {filters}" if filters else "") + f" ({row['label']})"
            cells = " | ".join(_cell(row[k]) for k in ("ours", "plain", "like"))
            print(f"| {label} | {cells} |")
        print("\n| other modes of vngov search | p50 / p95 ms (rows) |")
        print("|---|---|")
        for row in extra:
            query = f"`{row['query']}`" if row["query"] else "(no query)"
            print(f"| {query} {row['label']} | {_cell(row['ours'])} |")


if __name__ == "__main__":
    main()

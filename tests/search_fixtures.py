"""A small archive for the search, watch and web tests: four sites in three provinces then,
two now (Kiên Giang merged into An Giang, Tiền Giang into Đồng Tháp), with the province,
document and attachment columns filled as the crawler fills them."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.storage import Archive

REPO = Path(__file__).resolve().parent.parent

SITES = [
    ("angiang-sonoivu", "Sở Nội vụ tỉnh An Giang", "An Giang", "An Giang"),
    ("kiengiang-ubnd", "UBND tỉnh Kiên Giang", "Kiên Giang", "An Giang"),
    ("dongthap-sotttt", "Sở Thông tin và Truyền thông Đồng Tháp", "Đồng Tháp", "Đồng Tháp"),
    ("tiengiang-soyte", "Sở Y tế Tiền Giang", "Tiền Giang", "Đồng Tháp"),
]
# slug, site, published_at, category, author, title, body, cited documents, attachments
ARTICLES = [
    (
        "satlo-kg",
        "kiengiang-ubnd",
        "2024-02-06T08:37:00+07:00",
        "Phòng chống thiên tai",
        "Mạnh Cường",
        "Khắc phục sạt lở bờ biển tại huyện An Minh",
        "UBND tỉnh Kiên Giang chỉ đạo khắc phục sạt lở bờ biển theo Quyết định số 959/QĐ-UBND.",
        ["959/QĐ-UBND"],
        1,
    ),
    (
        "satlo-ag",
        "angiang-sonoivu",
        "2024-03-15T10:00:00+07:00",
        "Phòng chống thiên tai",
        "Thanh Hòa",
        "An Giang di dời dân khỏi vùng sạt lở",
        "Tỉnh An Giang di dời 120 hộ dân khỏi vùng sạt lở bờ sông Tiền.",
        [],
        0,
    ),
    (
        "satlo-kg-2025",
        "kiengiang-ubnd",
        "2025-08-01T09:00:00+07:00",
        "Phòng chống thiên tai",
        "Mạnh Cường",
        "Rà soát điểm sạt lở sau sáp nhập",
        "Các xã thuộc Kiên Giang cũ rà soát điểm sạt lở mới.",
        [],
        0,
    ),
    (
        "hoagiai",
        "angiang-sonoivu",
        "2023-11-20T14:00:00+07:00",
        "Cải cách hành chính",
        "Thanh Hòa",
        "Tập huấn công tác hòa giải ở cơ sở",
        "Hội nghị tập huấn nghiệp vụ hòa giải cho 120 hòa giải viên tại huyện Chợ Mới.",
        [],
        0,
    ),
    (
        "hoanhap",
        "tiengiang-soyte",
        "2024-02-20T07:30:00+07:00",
        "Y tế",
        None,
        "Hỗ trợ người khuyết tật hoà nhập cộng đồng",
        "Chương trình giúp người khuyết tật hoà nhập, có việc làm ổn định.",
        [],
        0,
    ),
    (
        "hoahoc",
        "dongthap-sotttt",
        "2024-02-21T07:30:00+07:00",
        "Giáo dục",
        "Ngọc Lan",
        "Thi học sinh giỏi môn hóa học",
        "Kỳ thi học sinh giỏi môn hóa học có 300 thí sinh; đề thi hoá vô cơ.",
        [],
        2,
    ),
    (
        "chuyendoiso",
        "dongthap-sotttt",
        "2024-06-30T16:00:00+07:00",
        "Chuyển đổi số",
        "Ngọc Lan",
        "Đồng Tháp đẩy mạnh chuyển đổi số",
        "Triển khai Thông tư 22/2023/TT-BTTTT và Quyết định số 959/QĐ-UBND về chuyển đổi số.",
        ["22/2023/TT-BTTTT", "959/QĐ-UBND"],
        0,
    ),
]


def slug_of(row: dict) -> str:
    """The fixture slug of a search result."""
    return row["url"].rsplit("/", 1)[1]


def build_archive(path: Path, *, fetched_at: str = "2024-07-01T00:00:00+00:00") -> Path:
    """Create the archive at ``path`` and return it."""
    archive = Archive(path)
    for site_id, agency, province, now in SITES:
        archive.upsert_site(
            {
                "id": site_id,
                "name": agency,
                "agency": agency,
                "province": province,
                "province_now": now,
                "platform": "websphere",
                "base_url": f"https://{site_id}.vn",
            }
        )
    for slug, site, published, category, author, title, body, docs, files in ARTICLES:
        record = {
            "url": f"https://{site}.gov.vn/{slug}",
            "title": title,
            "body": body,
            "published_at": published,
            "category": category,
            "author": author,
            "attachments": [{"url": f"https://x/{slug}-{i}.pdf"} for i in range(files)],
        }
        archive.store_article(record, site=site, fetched_at=fetched_at)
        set_columns(archive, slug, site, published, docs)
    archive.close()
    return path


def set_columns(archive: Archive, slug: str, site: str, published: str, docs: list[str]) -> None:
    """Fill the province and document columns as the crawler does, whatever storage did."""
    [row] = archive.db.query("select id from articles where url like ?", [f"%/{slug}"])
    then, now = next((p, n) for s, _, p, n in SITES if s == site)
    province = now if published >= "2025-07-01" else then
    archive.db["articles"].update(
        row["id"],
        {"province": province, "province_now": now, "doc_refs": json.dumps(docs)},
    )
    archive.db.execute("delete from doc_refs where article_id = ?", [row["id"]])
    for ref in docs:
        folded = ref.replace("Đ", "D").replace("đ", "d").lower()
        archive.db["doc_refs"].insert(
            {"article_id": row["id"], "ref": ref, "ref_folded": folded}, replace=True
        )
    archive.db.conn.commit()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(db: Path, timeout: float = 30) -> Iterator[str]:
    """Run `vngov serve` on the archive in a subprocess; yield its base URL, then stop it."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "archive", "serve", "--db", str(db), "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    _, errors = process.communicate()
                    raise RuntimeError(f"vngov serve did not start: {errors}") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

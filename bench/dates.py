"""Benchmark crawler.parsers.dates.parse_date against dateparser.parse on common page dates.

Run by hand: ``.venv/bin/python bench/dates.py [--calls N]``. Prints a Markdown table of
parses per second and how many of the strings each parser read to the expected value.
The fast path should stay at or above 50,000 parses/s: a listing page carries dozens of dates
and a full re-crawl reads millions.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.parsers.dates import VN_TZ, parse_date, to_iso

# The forms seen most on the portals, with the value each should give.
COMMON = [
    ("06/02/2024", "2024-02-06T00:00:00+07:00"),
    ("6/2/2024", "2024-02-06T00:00:00+07:00"),
    ("08:37 06/02/2024", "2024-02-06T08:37:00+07:00"),
    ("06/02/2024 08:37", "2024-02-06T08:37:00+07:00"),
    ("06-02-2024 - 08:37", "2024-02-06T08:37:00+07:00"),
    ("Thứ Hai, 05/02/2024 - 10:30", "2024-02-05T10:30:00+07:00"),
    ("Chủ nhật, 04/02/2024", "2024-02-04T00:00:00+07:00"),
    ("Ngày đăng: 06/02/2024", "2024-02-06T00:00:00+07:00"),
    ("Ngày đăng 24/04/2018 | 04:39 PM | View count: 1252", "2018-04-24T16:39:00+07:00"),
    ("Cập nhật lúc 15:20 ngày 18/04/2024", "2024-04-18T15:20:00+07:00"),
    ("21/07/2022 | 10:00 AM", "2022-07-21T10:00:00+07:00"),
    ("3:25 CH 06/02/2024", "2024-02-06T15:25:00+07:00"),
    ("Chiều ngày 02/02/2024", "2024-02-02T00:00:00+07:00"),
]

# Strings the fast rules do not read, to time the dateparser fallback inside parse_date.
FALLBACK = ["06 thg 02 2024", "tháng 3/2024"]

BASE = datetime(2024, 6, 15, 12, 0, tzinfo=VN_TZ)


def throughput(func: Callable[[str], object], texts: list[str], calls: int) -> tuple[int, float]:
    """(calls made, seconds) for ``func`` over ``texts`` cycled to about ``calls`` calls."""
    rounds = max(1, calls // len(texts))
    start = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            func(text)
    return rounds * len(texts), time.perf_counter() - start


def correct(func: Callable[[str], datetime | None]) -> int:
    """How many COMMON strings ``func`` reads to the expected instant."""
    hits = 0
    for text, expected in COMMON:
        value = func(text)
        hits += value is not None and value.tzinfo is not None and to_iso(value) == expected
    return hits


def main() -> None:
    """Time both parsers and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000, help="fast-path calls")
    parser.add_argument("--dateparser-calls", type=int, default=1_300, help="dateparser calls")
    args = parser.parse_args()

    texts = [text for text, _ in COMMON]

    start = time.perf_counter()
    import dateparser

    import_seconds = time.perf_counter() - start
    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "TIMEZONE": "Asia/Ho_Chi_Minh",
        "RELATIVE_BASE": BASE.replace(tzinfo=None),
    }

    def with_dateparser(text: str) -> datetime | None:
        return dateparser.parse(text, languages=["vi"], settings=settings)

    def fast(text: str) -> datetime | None:
        return parse_date(text, base=BASE)

    with_dateparser("06/02/2024")  # load the Vietnamese locale before timing
    fast(FALLBACK[0])  # and dateparser's state for the fallback row

    rows = []
    calls, seconds = throughput(fast, texts, args.calls)
    rows.append(("parse_date, common forms", calls, seconds, correct(fast)))
    calls, seconds = throughput(fast, FALLBACK, max(1, args.dateparser_calls // 4))
    rows.append(("parse_date, dateparser fallback", calls, seconds, None))
    calls, seconds = throughput(with_dateparser, texts, args.dateparser_calls)
    hits = correct(with_dateparser)
    rows.append(("dateparser.parse (vi, DMY), same forms", calls, seconds, hits))

    print(f"Python {platform.python_version()}, dateparser {dateparser.__version__}, ", end="")
    print(f"{len(COMMON)} common forms; dateparser import {import_seconds * 1000:.0f} ms\n")
    print("| parser | calls | seconds | parses/s | µs/call | read correctly |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, calls, seconds, hits in rows:
        right = "-" if hits is None else f"{hits}/{len(COMMON)}"
        print(
            f"| {name} | {calls:,} | {seconds:.2f} | {calls / seconds:,.0f} | "
            f"{seconds / calls * 1e6:.1f} | {right} |"
        )


if __name__ == "__main__":
    main()

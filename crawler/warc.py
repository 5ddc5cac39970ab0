"""Write every response the crawler receives to rolling, gzipped WARC files with a CDXJ index.

WARC is what archivists already use (pywb, ReplayWeb.page, warcio). Records are written from
what Scrapy's downloader hands over: headers as received and the body after de-chunking but
before decompression, so a record is a faithful reconstruction of the exchange, not a packet
capture. Each record is its own gzip member and is flushed at once, so a crawl killed at any
moment leaves files readable up to the last complete record; the next run trims a torn tail
(:func:`recover_open_files`) and rebuilds its index.

A response whose payload digest equals the last capture of the same URL is written as a
``revisit`` record (profile identical-payload-digest) instead of a second full copy.
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.items import Capture

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
# gzip's own default. warcio compresses at 9, which costs twice the CPU for ~1% smaller files.
GZIP_LEVEL = 6
DEFAULT_MAX_SIZE = 100 * 1024 * 1024
# Headers that describe the transfer rather than the payload we store.
_HOP_HEADERS = {"transfer-encoding", "connection", "keep-alive"}


def surt_host(host: str) -> str:
    """A host as it starts a SURT key: ``sonoivu.angiang.gov.vn`` → ``vn,gov,angiang,sonoivu``
    (an IPv6 address stays whole, in brackets, so that a port after it is told apart)."""
    host = host.lower().removeprefix("www.")
    if ":" in host:
        return f"[{host.strip('[]')}]"
    return ",".join(reversed(host.split(".")))


def _key_host(key: str) -> str:
    """The SURT host a CDXJ key starts with, without its port."""
    authority = key.partition(")")[0]
    if authority.startswith("["):
        return authority.partition("]")[0] + "]"
    return authority.partition(":")[0]


def surt(url: str) -> str:
    """The SURT form used as a CDXJ key: ``vn,gov,angiang,sonoivu)/wps/portal/home``."""
    parts = urlsplit(url)
    key = surt_host(parts.hostname or "")
    if parts.port and parts.port not in (80, 443):
        key += f":{parts.port}"
    path = (parts.path or "/").lower()
    return f"{key}){path}" + (f"?{parts.query.lower()}" if parts.query else "")


def warc_timestamp(date: str) -> str:
    """14-digit CDX timestamp from a WARC-Date."""
    return date.replace("-", "").replace(":", "").replace("T", "")[:14]


@dataclass(slots=True)
class _Last:
    digest: str
    date: str


class WarcArchive:
    """A directory of rolling ``.warc.gz`` files, each with a sorted ``.cdxj`` index beside it."""

    def __init__(
        self,
        directory: str | Path,
        *,
        prefix: str = "vngov",
        max_size: int = DEFAULT_MAX_SIZE,
        software: str = "vngov-archive",
        hosts: Iterable[str] | None = None,
    ):
        """``hosts``: the hosts this crawl fetches from, when known; only their last captures
        are loaded (what revisit records are decided on), not the whole archive's."""
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_size = max_size
        self.software = software
        recover_open_files(self.directory)
        hosts = None if hosts is None else list(hosts)  # read twice
        self.last: dict[str, _Last] = load_last_captures(self.directory, hosts)
        # SURT hosts whose captures are loaded; None: all of them.
        self._loaded = None if hosts is None else {surt_host(host) for host in hosts}
        self._file = None
        self._path: Path | None = None
        self._writer: WARCWriter | None = None
        self._record_buffer = BytesIO()
        self._index: list[str] = []
        self._serial = 0

    # -- files ---------------------------------------------------------------------------
    def _open_next(self) -> None:
        self._serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        name = f"{self.prefix}-{stamp}-{os.getpid()}-{self._serial:05d}.warc.gz"
        self._path = self.directory / (name + OPEN_SUFFIX)
        self._file = open(self._path, "wb")  # noqa: SIM115 - kept open across records
        self._writer = WARCWriter(self._record_buffer, gzip=False, warc_version="1.1")
        info = self._writer.create_warcinfo_record(
            name, {"software": self.software, "format": "WARC File Format 1.1"}
        )
        self._write(info)

    def _write(self, record: ArcWarcRecord) -> None:
        """Append ``record`` to the file as a gzip member of its own (what readers seek to)."""
        assert self._writer is not None and self._file is not None
        buffer = self._record_buffer
        buffer.seek(0)
        buffer.truncate()
        self._writer.write_record(record)
        member = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        self._file.write(member.compress(buffer.getvalue()) + member.flush())

    def _roll_if_needed(self) -> None:
        if self._file is None:
            self._open_next()
        elif self._file.tell() >= self.max_size:
            self.close()
            self._open_next()

    def _load_host_of(self, url: str) -> None:
        """Load the last captures of a host met for the first time in this crawl (a redirect
        to a subdomain the site's entry does not list): its pages are revisits too."""
        if self._loaded is None:
            return
        host = urlsplit(url).hostname or ""
        if surt_host(host) in self._loaded:
            return
        self._loaded.add(surt_host(host))
        for captured, last in load_last_captures(self.directory, [host]).items():
            self.last.setdefault(captured, last)  # what this crawl wrote is newer

    def close(self) -> None:
        """Finish the current file: rename it from ``.open`` and write its sorted index."""
        if self._file is None or self._path is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        final = self._path.with_name(self._path.name[: -len(OPEN_SUFFIX)])
        os.replace(self._path, final)
        write_index(final, sorted(self._index))
        self._file = self._path = self._writer = None
        self._index = []

    # -- records -------------------------------------------------------------------------
    def write_exchange(
        self,
        url: str,
        *,
        method: str,
        request_headers: list[tuple[str, str]],
        status: int,
        reason: str,
        response_headers: list[tuple[str, str]],
        body: bytes,
        protocol: str = "HTTP/1.1",
    ) -> Capture:
        """Write a response (or revisit) record and its request; returns where it sits."""
        self._roll_if_needed()
        assert self._writer is not None and self._file is not None and self._path is not None
        headers = [(k, v) for k, v in response_headers if k.lower() not in _HOP_HEADERS]
        http_headers = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol=protocol)
        record = self._writer.create_warc_record(
            url, "response", payload=BytesIO(body), length=len(body), http_headers=http_headers
        )
        self._writer.ensure_digest(record, block=False, payload=True)
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        self._load_host_of(url)
        previous = self.last.get(url)
        if previous and previous.digest == digest and body:
            record = self._writer.create_revisit_record(
                url, digest, url, previous.date, http_headers=http_headers
            )
        offset = self._file.tell()
        self._write(record)
        length = self._file.tell() - offset
        date = record.rec_headers.get_header("WARC-Date")
        request = self._writer.create_warc_record(
            url,
            "request",
            http_headers=StatusAndHeaders(
                f"{method} {_request_target(url)} {protocol}", request_headers, is_http_request=True
            ),
        )
        request.rec_headers.add_header(
            "WARC-Concurrent-To", record.rec_headers.get_header("WARC-Record-ID")
        )
        self._write(request)
        self._file.flush()
        record_type = record.rec_headers.get_header("WARC-Type")
        filename = self._path.name[: -len(OPEN_SUFFIX)]
        self._index.append(
            _cdxj_line(url, date, status, digest, record_type, headers, filename, offset, length)
        )
        if record_type == "response":
            self.last[url] = _Last(digest=digest, date=date)
        return Capture(
            warc_filename=filename,
            warc_offset=offset,
            warc_length=length,
            payload_digest=digest,
            record_type=record_type,
        )


def _request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _cdxj_line(
    url: str,
    date: str,
    status: int,
    digest: str,
    record_type: str,
    headers: list[tuple[str, str]],
    filename: str,
    offset: int,
    length: int,
) -> str:
    mime = next((v for k, v in headers if k.lower() == "content-type"), "").split(";")[0].strip()
    fields = {
        "url": url,
        "mime": "warc/revisit" if record_type == "revisit" else (mime or "unk"),
        "status": str(status),
        "digest": digest,
        "length": str(length),
        "offset": str(offset),
        "filename": filename,
    }
    return f"{surt(url)} {warc_timestamp(date)} {json.dumps(fields, ensure_ascii=False)}"


def write_index(warc_path: Path, lines: list[str]) -> None:
    """Write the sorted CDXJ index of one WARC file beside it (``X.warc.gz`` → ``X.cdxj``)."""
    index = warc_path.with_name(warc_path.name.removesuffix(".warc.gz") + ".cdxj")
    tmp = index.with_suffix(".cdxj.tmp")
    tmp.write_text("".join(line + "\n" for line in sorted(lines)), encoding="utf-8")
    os.replace(tmp, index)


def index_lines(warc_path: Path) -> tuple[list[str], int]:
    """CDXJ lines of every complete response/revisit record, and the end of the last one."""
    lines: list[str] = []
    end = 0
    with open(warc_path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        try:
            for record in iterator:
                record.content_stream().read()
                offset = iterator.get_record_offset()
                length = iterator.get_record_length()
                end = offset + length
                kind = record.rec_type
                if kind not in ("response", "revisit"):
                    continue
                http = record.http_headers
                lines.append(
                    _cdxj_line(
                        record.rec_headers.get_header("WARC-Target-URI"),
                        record.rec_headers.get_header("WARC-Date"),
                        int(http.get_statuscode()) if http else 0,
                        record.rec_headers.get_header("WARC-Payload-Digest") or "",
                        kind,
                        http.headers if http else [],
                        warc_path.name.removesuffix(OPEN_SUFFIX),
                        offset,
                        length,
                    )
                )
        except Exception as error:
            logger.warning("%s: stopped reading at offset %d: %s", warc_path.name, end, error)
    return lines, end


def complete_prefix(path: Path) -> int:
    """Length of the longest prefix of a ``.warc.gz`` made of complete gzip members.

    Every record is its own gzip member, so a member cut short by a kill is the torn record.
    """
    data = memoryview(path.read_bytes())
    position = 0
    while position < len(data):
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
        cursor = position
        while not decompressor.eof and cursor < len(data):
            chunk = data[cursor : cursor + 65536]
            try:
                decompressor.decompress(chunk)
            except zlib.error:
                return position
            cursor += len(chunk)
        if not decompressor.eof:
            break
        position = cursor - len(decompressor.unused_data)
    return position


def _writer_alive(path: Path) -> bool:
    """True when the process named in an open file's name (``…-PID-SERIAL.warc.gz.open``) runs."""
    try:
        pid = int(path.name.split("-")[-2])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists but belongs to someone else
    return True


def recover_open_files(directory: Path) -> list[Path]:
    """Close WARC files a killed crawl left open: trim the torn tail, rename, index them."""
    recovered = []
    for path in sorted(directory.glob(f"*.warc.gz{OPEN_SUFFIX}")):
        if _writer_alive(path):
            continue  # another crawl on this archive is still writing it
        with open(path, "r+b") as stream:
            stream.truncate(complete_prefix(path))
        final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
        os.replace(path, final)
        lines, _ = index_lines(final)
        write_index(final, lines)
        logger.warning("recovered %s (%d responses kept)", final.name, len(lines))
        recovered.append(final)
    return recovered


def load_last_captures(directory: Path, hosts: Iterable[str] | None = None) -> dict[str, _Last]:
    """The newest full (non-revisit) capture of each URL, from the CDXJ indexes; with
    ``hosts``, of those hosts' URLs only (an archive kept for years holds many sites, and a
    crawl of one needs only its own: memory grows with what is loaded)."""
    wanted = {surt_host(host) for host in hosts} if hosts is not None else None
    last: dict[str, _Last] = {}
    for index in sorted(directory.glob("*.cdxj")):
        if wanted is not None and not _may_hold(index, wanted):
            continue
        for line in index.read_text(encoding="utf-8").splitlines():
            if wanted is not None and _key_host(line) not in wanted:
                continue
            try:
                _, stamp, data = line.split(" ", 2)
                fields = json.loads(data)
            except ValueError:
                continue
            if fields.get("mime") == "warc/revisit":
                continue
            date = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
            current = last.get(fields["url"])
            iso = date.isoformat().replace("+00:00", "Z")
            if current is None or current.date < iso:
                last[fields["url"]] = _Last(digest=fields["digest"], date=iso)
    return last


def _may_hold(index: Path, hosts: set[str]) -> bool:
    """Whether the sorted CDXJ file ``index`` may have lines of ``hosts`` (SURT form), from
    its first and last keys: most files of a long-kept archive belong to other sites' crawls,
    and two lines say so without reading the rest."""
    keys = _key_range(index)
    if keys is None:
        return False
    first, last = keys
    # A host's keys are "host)..." or "host:port)...": from "host)" to before "host;".
    return any(host + ")" <= last and first < host + ";" for host in hosts)


def _key_range(index: Path) -> tuple[str, str] | None:
    """The first and last keys of a CDXJ file (``None`` when it is empty)."""
    with open(index, "rb") as stream:
        first = stream.readline()
        if not first.strip():
            return None
        size = stream.seek(0, os.SEEK_END)
        tail = 64 * 1024
        stream.seek(max(0, size - tail))
        end = stream.read().rstrip(b"\n")
    if b"\n" not in end and size > tail:
        return _key(first), "\uffff"  # a last line longer than the tail: assume anything
    return _key(first), _key(end.rpartition(b"\n")[2])


def _key(line: bytes) -> str:
    return line.partition(b" ")[0].decode("utf-8", "replace")


def read_capture(directory: str | Path, filename: str, offset: int) -> tuple[int, dict, bytes]:
    """``(status, headers, body)`` of the record at ``offset``; the body decoded of gzip/br."""
    path = Path(directory) / filename
    with open(path, "rb") as stream:
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)))
        http = record.http_headers
        body = record.content_stream().read()  # content_stream undoes Content-Encoding
        return int(http.get_statuscode()), dict(http.headers), body


def default_warc_dir(db_path: str | Path) -> Path:
    """Where an archive's WARC files live unless configured: ``<db dir>/<db stem>-warc``."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + "-warc")


def resolve_revisit(directory: str | Path, url: str, digest: str) -> tuple[str, int] | None:
    """``(filename, offset)`` of the full response record a revisit of ``url`` refers to
    (read from the indexes that may hold its host, and only the lines of its key)."""
    key = surt(url) + " "
    host = {_key_host(key)}
    for index in sorted(Path(directory).glob("*.cdxj")):
        if not _may_hold(index, host):
            continue
        for line in index.read_text(encoding="utf-8").splitlines():
            if not line.startswith(key):
                continue
            try:
                fields = json.loads(line.split(" ", 2)[2])
            except (IndexError, ValueError):
                continue
            if (
                fields.get("url") == url
                and fields.get("digest") == digest
                and fields.get("mime") != "warc/revisit"
            ):
                return fields["filename"], int(fields["offset"])
    return None

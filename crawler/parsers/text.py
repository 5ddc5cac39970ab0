"""Turn page bytes into clean, NFC-normalised Vietnamese text.

Real gov.vn pages mix decomposed (NFD) and composed letters, leave entities followed by
combining marks (``tr&ocirc;̀ng``) and declare their charset in ways lxml misreads when handed
raw bytes. Everything here runs before any matching, so that the rest of the parsers only ever
see NFC text.
"""

from __future__ import annotations

import codecs
import html
import re
import unicodedata

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)
# Entities that lost their "&" by being escaped twice ("&amp;ldquo;" shown as "ldquo;").
_DOUBLE_ESCAPED = re.compile(r"(?<![&\w])(ldquo|rdquo|lsquo|rsquo|quot|nbsp|ndash|mdash|hellip);")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def _codec(name: str | bytes | None) -> str | None:
    """The Python codec name for a charset label, or None when it is unknown."""
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "ignore")
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


def charset_from_header(content_type: str | None) -> str | None:
    """The charset named in a Content-Type header value, if any."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return _codec(match.group(1)) if match else None


def charset_from_meta(body: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag, in either attribute order.

    Liferay writes ``<meta content="text/html; charset=UTF-8" http-equiv="content-type">``,
    which lxml does not recognise, so we look for ``charset=`` anywhere inside a meta tag.
    """
    match = _META_CHARSET.search(body[:4096])
    return _codec(match.group(1)) if match else None


def decode_html(body: bytes | str, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes, returning ``(text, encoding_used)``.

    Order: the HTTP header's charset, then the meta charset, then UTF-8, then Windows-1258
    (the Vietnamese code page) as a last resort that never fails. A ``str`` passes through.
    """
    if isinstance(body, str):
        return body, "str"
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", "replace"), "utf-8"
    for encoding in (charset_from_header(content_type), charset_from_meta(body)):
        if encoding:
            try:
                return body.decode(encoding), encoding
            except UnicodeDecodeError:
                continue
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return body.decode("cp1258", "replace"), "cp1258"


def normalize_text(text: str) -> str:
    """Unescape entities, repair double escaping, NFC-normalise and collapse spaces.

    Newlines are kept (they separate paragraphs); runs of other whitespace become one space.
    """
    text = html.unescape(text)
    text = _DOUBLE_ESCAPED.sub(lambda m: html.unescape(f"&{m.group(1)};"), text)
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def normalize_line(text: str) -> str:
    """Like :func:`normalize_text`, but the result is a single line."""
    return " ".join(normalize_text(text).split())


def strip_diacritics(text: str) -> str:
    """Lower-case ASCII-ish form for matching names typed without marks ("Đắk Lắk" → "dak lak")."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()

"""Turn page bytes into clean, NFC-normalised Vietnamese text, and notice when it is garbled.

Real gov.vn pages mix decomposed (NFD) and composed letters, leave entities followed by
combining marks (``tr&ocirc;̀ng``), lose the "&" of double-escaped entities (``ldquo;``) and
declare their charset in ways lxml misreads when handed raw bytes. Everything here runs before
any matching, so that the rest of the parsers only ever see NFC text.

Decoding order (:func:`decode_html`): a byte-order mark, the HTTP header's charset, the
``<meta>`` charset in either attribute order (or an XML declaration), UTF-16 recognised by its
NUL bytes, UTF-8, then detection. Detection is ours rather than a generic detector's. On
Vietnamese test pages of 60 to 5,000 characters, charset_normalizer (which bs4's UnicodeDammit
delegates to, so both answer alike) read windows-1252 pages with numeric entities as
windows-1250 or cp775 and got 14 of 20 right; restricted to the plausible code pages it still
took the longest windows-1252 page for windows-1258 (19 of 20). The portals only ever used
windows-1258 or windows-1252 besides Unicode, so the candidate that yields the most valid
Vietnamese syllables wins (20 of 20), and charset_normalizer only settles pages that have no
Vietnamese to judge by.

Text typed in the pre-Unicode Vietnamese fonts (TCVN3/ABC ``.VnTime``, VNI-Windows) and UTF-8
read as Latin-1 cannot be fixed by decoding; :func:`detect_mojibake` names the damage so the
record carries a warning.
"""

from __future__ import annotations

import codecs
import html
import re
import unicodedata
from functools import lru_cache
from itertools import filterfalse

import charset_normalizer

__all__ = [
    "charset_from_header",
    "charset_from_meta",
    "decode_html",
    "detect_mojibake",
    "is_vietnamese_syllable",
    "normalize_line",
    "normalize_text",
    "strip_diacritics",
]

_META_TAG = re.compile(rb"<meta\s[^>]*>", re.IGNORECASE)
_CHARSET_IN_TAG = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""")
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)
# Liferay heads carry kilobytes of inline script before the meta tag; browsers look further
# than the 1024 bytes of the HTML standard's prescan, and so do we.
_META_SCAN = 32_768
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# As browsers do (WHATWG Encoding): these labels mean windows-1252, whose 0x80-0x9F are the
# curly quotes and dashes that Latin-1 turns into control characters.
_WINDOWS_1252_LABELS = frozenset({"latin_1", "iso8859-1", "ascii", "cp819"})
# Code pages a Vietnamese portal may have been written in, for detection.
_LEGACY_CANDIDATES = ("cp1258", "cp1252")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_UTF8_TOLERANCE = 0.05  # bad sequences per good one under which a page stays UTF-8

# Entities that lost their "&" ("&amp;ldquo;" shown as "ldquo;"). Quote and dash names are
# repaired even glued to a word ("chínhrdquo;"): no Vietnamese word ends that way; short
# names (lt, amp) only standing alone; letter names and numeric references anywhere.
_LOST_AMP_PUNCT = re.compile(
    r"(?<!&)(ldquo|rdquo|lsquo|rsquo|bdquo|laquo|raquo|ndash|mdash|hellip|nbsp);"
    r"|(?<![&\w])(quot|apos|amp|lt|gt|copy|reg|deg|bull|middot);"
)
_LOST_AMP_LETTER = re.compile(
    r"(?<!&)([AEIOUYaeiouy](?:acute|grave|circ|tilde)|[Aa]breve|[Oo]horn|[Uu]horn|[Dd]stroke);"
)
_LOST_AMP_NUMERIC = re.compile(r"(?<![&#])#(\d{3,6}|x[0-9A-Fa-f]{3,5});")
# Spaces other than U+0020 (and not newlines), each read as one space.
_OTHER_SPACES = re.compile(r"[\t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]")
_SPACE_RUNS = re.compile("  +")
_BLANK_LINES = re.compile(r"\n\s*\n+")


# --- decoding ----------------------------------------------------------------------------


def _codec(name: str | bytes | None) -> str | None:
    """The Python codec for a charset label, as browsers read it, or None when unknown."""
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "ignore")
    try:
        codec = codecs.lookup(name.strip()).name
    except LookupError:
        return None
    return "cp1252" if codec in _WINDOWS_1252_LABELS else codec


def charset_from_header(content_type: str | None) -> str | None:
    """The charset named in a Content-Type header value, if any."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return _codec(match.group(1)) if match else None


def charset_from_meta(body: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag, in either attribute order.

    Liferay writes ``<meta content="text/html; charset=UTF-8" http-equiv="content-type">``,
    which lxml does not recognise, so we look for ``charset=`` anywhere inside a meta tag. An
    XML declaration (``<?xml ... encoding="windows-1258"?>``) counts too. A page that declares
    UTF-16 in ASCII is not UTF-16: as in browsers, that means UTF-8.
    """
    head = body[:_META_SCAN]
    for tag in _META_TAG.finditer(head):
        match = _CHARSET_IN_TAG.search(tag.group())
        if match:
            return _ascii_compatible(_codec(match.group(1)))
    match = _XML_ENCODING.match(head)
    return _ascii_compatible(_codec(match.group(1))) if match else None


def _ascii_compatible(codec: str | None) -> str | None:
    if codec and codec.startswith(("utf_16", "utf-16", "utf_32", "utf-32")):
        return "utf-8"
    return codec


def _bom(body: bytes) -> tuple[str, int] | None:
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, len(bom)
    return None


def _utf16_without_bom(body: bytes) -> str | None:
    """UTF-16 without a byte-order mark: markup is ASCII, so every other byte is NUL."""
    sample = body[:4096]
    if len(sample) < 8 or sample.count(0) < len(sample) // 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.3 * len(sample) / 2 and even < odd / 10:
        return "utf-16-le"
    if even > 0.3 * len(sample) / 2 and odd < even / 10:
        return "utf-16-be"
    return None


def _is_utf8_with_text(body: bytes) -> bool:
    """Valid UTF-8 holding multi-byte letters: never an accident in a single-byte page."""
    if not _UTF8_MULTIBYTE.search(body):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(body: bytes) -> bool:
    """UTF-8 with a few stray bytes (a pasted fragment), not a page in another code page."""
    good = len(_UTF8_MULTIBYTE.findall(body))
    if good == 0:
        return False
    bad = body.decode("utf-8", "replace").count("\ufffd") - body.count(b"\xef\xbf\xbd")
    return bad <= _UTF8_TOLERANCE * good


def _decode_declared(body: bytes, codec: str) -> str | None:
    """Decode by a declared charset, unless the declaration is evidently wrong."""
    if not codec.startswith("utf") and _is_utf8_with_text(body):
        return None  # a single-byte label on a UTF-8 page: the label is wrong
    try:
        return body.decode(codec)
    except UnicodeDecodeError:
        if codec == "utf-8" and _mostly_utf8(body):
            return body.decode("utf-8", "replace")
        return None


def _vietnamese_score(text: str) -> int:
    """Valid Vietnamese syllables minus invalid words, over words with non-ASCII letters."""
    score = 0
    for word in _WORD.findall(html.unescape(text)):
        if not word.isascii():
            score += 1 if is_vietnamese_syllable(word) else -1
    return score


def _detect_legacy(body: bytes) -> str:
    """The code page a non-UTF-8 page was written in: the one that reads as Vietnamese."""
    scores: dict[str, int] = {}
    for codec in _LEGACY_CANDIDATES:
        try:
            scores[codec] = _vietnamese_score(body.decode(codec))
        except UnicodeDecodeError:
            continue
    if scores:
        best = max(scores.values())
        leaders = [c for c in _LEGACY_CANDIDATES if scores.get(c) == best]
        if len(leaders) == 1 and best > 0:
            return leaders[0]
    # No Vietnamese to judge by (a Western page, or none of it readable): statistics decide.
    match = charset_normalizer.from_bytes(body, cp_isolation=list(scores or _LEGACY_CANDIDATES))
    guess = match.best()
    return (_codec(guess.encoding) if guess else None) or "cp1258"


def decode_html(body: bytes | str, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes, returning ``(text, encoding_used)``; a ``str`` passes through.

    Order: a byte-order mark; the HTTP header's charset; the meta charset (either attribute
    order) or XML declaration; UTF-16 recognised by its NUL bytes; UTF-8; then the legacy
    code page (windows-1258 or windows-1252) that reads as the most Vietnamese, with
    windows-1258 and replacement characters as the last resort that never fails. A declared
    single-byte charset on a page that is valid UTF-8 is ignored (a misconfigured server), and
    a UTF-8 page with a few stray bytes stays UTF-8. The text is returned as decoded: entities
    and normalisation are left to :func:`normalize_text`, after parsing.
    """
    if isinstance(body, str):
        return body, "str"
    if bom := _bom(body):
        codec, size = bom
        return body[size:].decode(codec, "replace"), codec.replace("_", "-")
    for codec in (charset_from_header(content_type), charset_from_meta(body)):
        if codec and (text := _decode_declared(body, codec)) is not None:
            return text, codec
    if codec := _utf16_without_bom(body):  # before UTF-8: NUL bytes are valid UTF-8
        return body.decode(codec, "replace"), codec
    if (text := _decode_declared(body, "utf-8")) is not None:
        return text, "utf-8"
    codec = _detect_legacy(body)
    return body.decode(codec, "replace"), codec


# --- normalising ---------------------------------------------------------------------------


# Names whose "&" a double escape loses, as they end the word before ";": a cheap test that
# saves running the three repair patterns on the many texts that merely contain a ";".
_LOST_NAME_ENDINGS = (
    "quo",
    "dash",
    "llip",
    "nbsp",
    "quot",
    "apos",
    "amp",
    "lt",
    "gt",
    "copy",
    "reg",
    "deg",
    "bull",
    "middot",
    "acute",
    "grave",
    "circ",
    "tilde",
    "breve",
    "horn",
    "stroke",
)
# The name before a ";" (at most its last 8 characters), searched in the 8 characters before it.
_NAME_BEFORE_SEMICOLON = re.compile(r"[#A-Za-z0-9]{2,8}\Z")


def _may_have_lost_ampersands(text: str) -> bool:
    # From each ";" back: a pattern for "name;" would stop at every letter of the text.
    semicolon = text.find(";")
    while semicolon >= 0:
        name = _NAME_BEFORE_SEMICOLON.search(text, max(0, semicolon - 8), semicolon)
        if name and (name.group().endswith(_LOST_NAME_ENDINGS) or "#" in name.group()):
            return True
        semicolon = text.find(";", semicolon + 1)
    return False


def _repair_lost_ampersands(text: str) -> str:
    if not _may_have_lost_ampersands(text):
        return text
    text = _LOST_AMP_PUNCT.sub(lambda m: html.unescape(f"&{m.group(1) or m.group(2)};"), text)
    text = _LOST_AMP_LETTER.sub(lambda m: html.unescape(f"&{m.group(1)};"), text)

    def numeric(match: re.Match[str]) -> str:
        value = match.group(1)
        code = int(value[1:], 16) if value.startswith("x") else int(value)
        char = chr(code) if 0xA0 <= code <= 0x2FFF else ""
        if unicodedata.category(char[:1] or "\0")[0] in "LM" or 0x2010 <= code <= 0x2027:
            return char  # a letter, a mark or typographic punctuation: not a "#12;" of prose
        return match.group()

    return _LOST_AMP_NUMERIC.sub(numeric, text)


def normalize_text(text: str) -> str:
    """Unescape entities, repair double escaping, NFC-normalise and collapse spaces.

    Unescaping comes first so that an entity followed by a combining mark (``tr&ocirc;̀ng``)
    composes into one letter ("trồng"). Newlines are kept (they separate paragraphs); runs of
    other whitespace become one space.
    """
    if "&" in text:
        text = html.unescape(text)
    if ";" in text:  # every lost-ampersand entity ends in ";": most text has none
        text = _repair_lost_ampersands(text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    text = _collapse_spaces(text)
    if "\n" in text:
        text = "\n".join(map(str.strip, text.split("\n")))
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def _collapse_spaces(text: str) -> str:
    """Every run of spaces (not newlines) as one space, and none at either end of ``text``.

    Other spaces become U+0020 first, so that the runs to collapse start with two U+0020: a
    pattern starting with a literal skips ahead, where one for any run of spaces would stop
    at every single space between two words (four times slower).
    """
    text = _OTHER_SPACES.sub(" ", text)
    if "  " in text:
        text = _SPACE_RUNS.sub(" ", text)
    return text.strip(" ")


def normalize_line(text: str) -> str:
    """Like :func:`normalize_text`, but the result is a single line."""
    return " ".join(normalize_text(text).split())


class _FoldedCharacters(dict):
    """Each character's folded form, worked out the first time it is met: decomposed (NFD),
    without its combining marks, case-folded; "đ" as "d". Decomposition, dropping marks and
    case folding all go character by character, so folding a text one character at a time
    (``str.translate``, in C) gives what doing it to the whole text does, half again as fast.
    """

    def __missing__(self, code: int) -> str:
        char = chr(code).replace("đ", "d").replace("Đ", "D")
        decomposed = unicodedata.normalize("NFD", char)
        folded = self[code] = "".join(filterfalse(unicodedata.combining, decomposed)).casefold()
        return folded


_FOLDED = _FoldedCharacters()


def strip_diacritics(text: str) -> str:
    """Lower-case ASCII-ish form for matching names typed without marks ("Đắk Lắk" → "dak lak")."""
    if text.isascii():
        return text.casefold()  # nothing to decompose
    return text.translate(_FOLDED)


# --- Vietnamese syllables ------------------------------------------------------------------

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
_CODA = r"(?:ch|c|m|ng|nh|n|p|t)"
# Vowel groups (toneless) by what may follow: nothing (they end in a semivowel, or "y"),
# a consonant necessarily ("ă", "iê": "ăn", "tiếng"), or either.
_OPEN_ONLY = (
    "oai|oao|oay|oeo|uây|uôi|uya|uyu|ươi|ươu|iêu|yêu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iu|oi|ôi|ơi|ua|ui|uơ|ưa|ưi|ưu|y"
)
_CLOSED_ONLY = "uyê|iê|yê|uô|ươ|uâ|oă|oo|ă|â"
_EITHER = "oa|oe|uê|uy|a|e|ê|i|o|ô|ơ|u|ư"
_SYLLABLE = re.compile(
    rf"{_ONSET}(?:(?:{_OPEN_ONLY})|(?:{_CLOSED_ONLY}){_CODA}|(?:{_EITHER}){_CODA}?)"
)
_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=65_536)
def is_vietnamese_syllable(word: str) -> bool:
    """Whether ``word`` is spelt like one Vietnamese syllable: onset, vowels, coda, one tone.

    The check is orthographic and deliberately loose (it accepts some syllables no word
    uses); it tells Vietnamese from mojibake and from foreign words, not good words from bad.
    """
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(c in _TONE_MARKS for c in decomposed) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    return _SYLLABLE.fullmatch(bare) is not None


# --- mojibake ------------------------------------------------------------------------------

# TCVN 5712 (VN3, the ABC ".VnTime" fonts): bytes 0xA1-0xFF, seen in a page as the Latin-1
# characters of the same code. From the TCVN5712-1 charmap of the GNU C library; the slots
# 0xB0-0xB4 (combining marks in VN1) are not used by VN3.
_TCVN3_BYTES = bytes([*range(0xA1, 0xB0), *range(0xB5, 0x100)]).decode("latin-1")
_TCVN3_CHARS = (
    "ĂÂÊÔƠƯĐăâêôơưđẰ"  # from 0xA1
    "àảãáạẲằẳẵắẴ"  # from 0xB5
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"  # from 0xC0
    "éẹềểễếệìỉỄẾỒĩíịò"  # from 0xD0
    "Ổỏõóọồổỗốộờởỡớợù"  # from 0xE0
    "ỖủũúụừửữứựỳỷỹýỵỐ"  # from 0xF0
)
_TCVN3 = str.maketrans(_TCVN3_BYTES, _TCVN3_CHARS)


def _vni_table() -> dict[str, str]:
    """VNI-Windows: a base letter followed by mark bytes, seen as windows-1252 characters.

    Built from the published table: tones acute, grave, hook, tilde, dot below are ``ù ø û õ
    ï``; with a circumflex ``â á à å ã ä``; with a breve ``ê é è ú ü ë``; ``ô`` is ơ, ``ö`` ư,
    ``ñ`` đ; i takes ``í ì æ ó ò``; ỵ is ``î``; capitals use the capital forms.
    """
    tones = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
    plain, circumflex, breve = "ùøûõï", "âáàåãä", "êéèúüë"
    table: dict[str, str] = {}

    def add(code: str, letter: str) -> None:
        table[code] = unicodedata.normalize("NFC", letter)
        table[code.upper()] = unicodedata.normalize("NFC", letter.upper())

    for base in "aeouy":
        for mark, tone in zip(plain, tones, strict=True):
            add(base + mark, base + tone)
    for base in "aeo":
        add(base + circumflex[0], base + "\u0302")
        for mark, tone in zip(circumflex[1:], tones, strict=True):
            add(base + mark, base + "\u0302" + tone)
    add("a" + breve[0], "ă")
    for mark, tone in zip(breve[1:], tones, strict=True):
        add("a" + mark, "ă" + tone)
    for code, letter in (("ô", "ơ"), ("ö", "ư")):
        add(code, letter)
        for mark, tone in zip(plain, tones, strict=True):
            add(code + mark, letter + tone)
    for code, tone in zip("íìæóò", tones, strict=True):
        add(code, "i" + tone)
    add("î", "ỵ")
    add("ñ", "đ")
    return table


_VNI = _vni_table()
_VNI_RE = re.compile("|".join(sorted(map(re.escape, _VNI), key=len, reverse=True)))
# UTF-8 read as windows-1252 or Latin-1: a lead byte and its continuation bytes as characters.
_CP1252_HIGH = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_LATIN1_UTF8 = re.compile(
    rf"[\u00c2-\u00f4](?:[\u0080-\u00bf{_CP1252_HIGH}]){{1,3}}",
)
# Punctuation around a word; not « » · which are letters in TCVN3 (ô, ã).
_TOKEN_STRIP = "\"'“”‘’()[]{}<>.,;:!?…-–—/|*•"
_MIN_HITS = 2
_MIN_SHARE = 0.3


def _latin1_utf8_hits(text: str) -> int:
    hits = 0
    for match in _LATIN1_UTF8.finditer(text):
        raw = bytearray()
        for char in match.group():
            raw += char.encode("cp1252") if char in _CP1252_HIGH else bytes([ord(char)])
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(c).startswith(("L", "M")) for c in decoded):
            hits += 1
    return hits


def _non_ascii_words(text: str) -> list[str]:
    """The whitespace-separated words of ``text`` that hold a non-ASCII character."""
    return list(filterfalse(str.isascii, text.split()))


@lru_cache(maxsize=65_536)
def _legacy_readings(word: str) -> tuple[tuple[str, str], ...]:
    """``(kind, syllable)`` for each legacy table that reads a word (punctuation around it
    dropped) as a Vietnamese syllable, when it is none as written; empty for most words."""
    token = word.strip(_TOKEN_STRIP)
    if not token or all(is_vietnamese_syllable(w) for w in _WORD.findall(token)):
        return ()
    readings = []
    for kind, decoded in (
        ("tcvn3", token.translate(_TCVN3)),
        ("vni", _VNI_RE.sub(lambda m: _VNI[m.group()], token)),
    ):
        if not decoded.isascii() and is_vietnamese_syllable(decoded):
            readings.append((kind, decoded.lower()))
    return tuple(readings)


def detect_mojibake(text: str) -> str | None:
    """Name the garbling of ``text``, or None when it reads as proper Unicode.

    * ``"latin1-utf8"``: UTF-8 decoded as Latin-1/windows-1252 ("Tráº¡ng thÃ¡i");
    * ``"tcvn3"``: typed in a TCVN3/ABC font ("Thñ t\\u00adíng ChÝnh phñ");
    * ``"vni"``: typed in a VNI font ("Thuû töôùng Chính phuû").

    A word counts against the text when it is no Vietnamese syllable as written but becomes
    one when read through a legacy table; the text is flagged when at least two different
    words (or a third of its non-ASCII words) do. Foreign words (French "où" reads as VNI
    "ó", but only ever as that one word), symbols and NFD text are not mojibake.
    """
    if not text or text.isascii():
        return None
    text = unicodedata.normalize("NFC", text)
    words = _non_ascii_words(text)
    hits = _latin1_utf8_hits(text)
    if hits >= _MIN_HITS or (hits and hits >= _MIN_SHARE * len(words)):
        return "latin1-utf8"
    readings: dict[str, set[str]] = {"tcvn3": set(), "vni": set()}
    # Words repeat, and the readings are sets: each word is read once.
    for found in filter(None, map(_legacy_readings, set(words))):
        for kind, reading in found:
            readings[kind].add(reading)
    kind = max(readings, key=lambda k: len(readings[k]))
    hits = len(readings[kind])
    if hits and (hits >= _MIN_HITS or hits >= _MIN_SHARE * len(words)):
        return kind
    return None

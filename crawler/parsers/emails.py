"""Find e-mail addresses in the text of Vietnamese government pages.

Contact widgets print officials' addresses plainly (``tlho@angiang.gov.vn``) or disguised against
harvesters: ``tlho[at]angiang.gov.vn``, ``tlho (at) angiang [dot] gov [dot] vn``,
``tlho[@]angiang.gov.vn``, ``tlho @ angiang.gov.vn``, or with full-width ``＠`` and ``．``
copied from East Asian keyboards. The archive records who could be reached where, so these are
undone before matching. Retina image names (``logo@2x.png``) and strings without a real domain
(``tlho@angiang``) are not addresses.

Deliberately not undone: bare words (``tlho at angiang dot gov dot vn``) and ``(a)``, which
would also rewrite ordinary prose; and addresses with non-ASCII local parts, which these
portals do not use.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["find_emails"]

_OPEN = r"[\[({<]"
_CLOSE = r"[\])}>]"
_SPACES = r"[ \t\u00a0]*"
# "[at]", "(at)", "{at}", "<at>", "[@]", "(a còng)" with any spaces around -> "@"
_AT_RE = re.compile(rf"{_SPACES}{_OPEN}{_SPACES}(?:at|@|a[ ]?còng){_SPACES}{_CLOSE}{_SPACES}", re.I)
# "[dot]", "(dot)", "[.]", "(chấm)" with any spaces around -> "."
_DOT_RE = re.compile(rf"{_SPACES}{_OPEN}{_SPACES}(?:dot|\.|chấm){_SPACES}{_CLOSE}{_SPACES}", re.I)
# "tlho @ angiang.gov.vn" -> "tlho@angiang.gov.vn" (spaces on one line only)
_SPACED_AT_RE = re.compile(r"(?<=[A-Za-z0-9._%+\-])[ \t\u00a0]*@[ \t\u00a0]*(?=[A-Za-z0-9])")

_EMAIL_RE = re.compile(
    r"(?<![\w.%+\-])"
    r"([a-z0-9._%+\-]+)"
    r"@"
    r"((?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})"
    r"(?![a-z0-9\-]|\.[a-z0-9])",
    re.IGNORECASE,
)

# Top-level "domains" that are file extensions: "logo@2x.png", "icon@3x.webp".
_FILE_EXTENSIONS = frozenset(
    {
        "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff", "avif",
        "css", "js", "json", "pdf", "doc", "docx", "xls", "xlsx", "zip", "rar", "mp3", "mp4",
        "woff", "woff2", "ttf", "eot", "htm", "html", "php", "aspx", "jsp",
    }
)  # fmt: skip


def find_emails(text: str) -> list[str]:
    """Every e-mail address in ``text``, lower-cased, de-duplicated, in order of appearance.

    Disguised forms are undone first (see the module docstring); trailing punctuation is
    never part of an address; image file names and domains without a dot or with a numeric or
    file-extension top level are rejected.
    """
    # NFKC folds the full-width "＠" and "．" (and full-width letters) to ASCII.
    text = unicodedata.normalize("NFKC", text)
    text = _AT_RE.sub("@", text)
    text = _DOT_RE.sub(".", text)
    text = _SPACED_AT_RE.sub("@", text)
    found: list[str] = []
    for m in _EMAIL_RE.finditer(text):
        local, domain = m.group(1).lower(), _unglue(m.group(2)).lower()
        if not _valid_local(local) or not _valid_domain(domain):
            continue
        address = f"{local}@{domain}"
        if address not in found:
            found.append(address)
    return found


def _unglue(domain: str) -> str:
    """Cut a capitalised word glued after the address: ``x@angiang.gov.vn.Email`` -> ``...vn``."""
    labels = domain.split(".")
    if len(labels) > 2 and not labels[-1].islower() and ".".join(labels[:-1]).islower():
        return ".".join(labels[:-1])
    return domain


def _valid_local(local: str) -> bool:
    return not (local.startswith(".") or local.endswith(".") or ".." in local)


def _valid_domain(domain: str) -> bool:
    tld = domain.rsplit(".", 1)[-1]
    return tld not in _FILE_EXTENSIONS

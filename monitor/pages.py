"""The pieces every rendered page shares, so the digest, the archive, the Atom feed
and the web app render the same way: the Jinja2 environment, quote highlighting,
safe links, file names, CSS inlining for mail, and whole-file writes.

Files are written whole (temp file + rename) with the permissions the umask gives
any new file (0644 under the usual 022), so a web server can publish the folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from .words import fmt_number, short_date

_SAFE_SCHEMES = ("http://", "https://")


# --- shared by every page -----------------------------------------------------------

def safe_href(url: str) -> str | None:
    """Only web links become hrefs: a javascript: or data: URL in an article is shown as text."""
    u = (url or "").strip()
    return u if u.lower().startswith(_SAFE_SCHEMES) else None


def source_link(url: str | None, title: str | None, outlet: str | None
                ) -> tuple[str | None, str]:
    """(href, text) for an observation's article: its own URL when it has one, linked
    under the outlet's name; otherwise the article's title as plain text.  A path on
    disk is never shown."""
    href = safe_href(url or "")
    if href:
        return href, (outlet or "").strip() or (title or "").strip() or href
    label = (title or "").strip()
    name = (outlet or "").strip()
    if label:
        return None, f"“{label}”" + (f", {name}" if name else "")
    return None, name or "source not named"


def highlight(quote: str, surface: str) -> Markup:
    """The quote, escaped, with the number's surface wrapped in <mark>."""
    i = quote.find(surface) if surface else -1
    if i < 0:
        return escape(quote)
    return (escape(quote[:i]) + Markup("<mark>") + escape(surface) + Markup("</mark>")
            + escape(quote[i + len(surface):]))


def file_slug(name: str) -> str:
    """A figure id as a file name that works on any disk."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) or "_"


_env: Environment | None = None


def env() -> Environment:
    """The Jinja2 environment: autoescape on for every .html template."""
    global _env
    if _env is None:
        _env = Environment(loader=PackageLoader("monitor", "templates"),
                           autoescape=select_autoescape(("html", "svg")),
                           undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                           keep_trailing_newline=True)
        _env.filters["href"] = safe_href
        _env.filters["num"] = fmt_number
        _env.filters["day"] = short_date
    return _env


def _umask() -> int:
    """The process umask, read without changing it (a brief os.umask(0) would let a
    thread create world-writable files meanwhile)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    old = os.umask(0o022)
    os.umask(old)
    return old


def write_text(path: Path, text: str, *, fsync: bool = False, newline: str | None = None
               ) -> None:
    """Write ``path`` whole: a temp file beside it, renamed over it, so a reader never
    sees half a file.  The file gets the umask's permissions, not mkstemp's 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            fh.write(text)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


_CLASS = re.compile(r'\sclass="[^"]*"')
_STYLE = re.compile(r'style="([^"]*)"')


def inline_css(html: str) -> str:
    """Move the <style> rules into style="" attributes; never fetch anything.  Class
    names go and the styles are written tightly: Gmail clips a message past ~102 KB."""
    out = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False).inline(html)
    out = _CLASS.sub("", out)
    # css_inline writes "prop: value;" declarations
    return _STYLE.sub(lambda m: 'style="' + m[1].replace(": ", ":").replace("; ", ";")
                      .rstrip(";") + '"', out)

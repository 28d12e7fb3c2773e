"""What the site says in its HTTP headers: the content security policy, caching, bad requests.

Pure functions and one Jinja extension; the Datasette plugin (``datasette_plugins/``)
applies them to every response in its ``asgi_wrapper`` and ``handle_exception`` hooks.

**Scripts.** Datasette's pages carry inline scripts of their own (closing open menus on
every page, the SQL editor, and on 1.0 the table page's data as JSON and a button's
``onclick``), so a policy of
``script-src 'self'`` breaks them, and a nonce would have to be written into Datasette's
templates. Instead :class:`InlineScriptHashes` rewrites the *source* of every template as
Jinja loads it, wrapping the body of each inline ``<script>`` in a filter that hashes what
it renders; the response's policy then allows exactly those hashes. Only scripts written
in a template are hashed: text from the database is rendered escaped inside them, and a
script that reached a page any other way (say, through a bug in escaping) has no hash and
does not run. The same body gives the same hash, so caches and ETags are unaffected.

**Caching.** The database is immutable: a page is a function of the build and of the code
serving it. Every GET of a page gets an ETag from both (:func:`site_etag`) and
``Cache-Control: public, max-age=60``, and a request whose ``If-None-Match`` names it is
answered 304 before any work is done.
"""

from __future__ import annotations

import base64
import contextvars
import hashlib
import re
import sqlite3
import traceback
from pathlib import Path

from jinja2.ext import Extension

from .sqllimits import TOO_BIG_NOTE

__all__ = [
    "CACHE_CONTROL",
    "InlineScriptHashes",
    "collect_script_hashes",
    "record_script_hashes",
    "content_security_policy",
    "script_hash",
    "database_identity",
    "site_etag",
    "etag_matches",
    "is_cacheable_request",
    "client_error",
]

CACHE_CONTROL = "public, max-age=60"

# -- the content security policy --------------------------------------------------------

_POLICY = (
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",  # Datasette's templates have inline styles and style attributes
    None,  # script-src, per response
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)

# The hashes of the inline scripts rendered while answering the current request; a fresh
# list is set for each request by the plugin's asgi_wrapper, which runs in the same task
# as the rendering (Datasette renders templates on the event loop, not in its threads).
_rendered_hashes: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("provenance_script_hashes", default=None)


def script_hash(body: str) -> str:
    """A CSP source expression for an inline script with this exact text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(script_hashes: list[str] | tuple[str, ...] = ()) -> str:
    """The policy: this site's files, plus the inline scripts with these hashes, and nothing else."""
    scripts = " ".join(["script-src 'self'", *dict.fromkeys(script_hashes)])
    return "; ".join(part or scripts for part in _POLICY)


class collect_script_hashes:
    """``with collect_script_hashes() as hashes:`` the hashes of the inline scripts that
    templates render inside the block (in this task), in order."""

    def __enter__(self) -> list[str]:
        self.hashes: list[str] = []
        self._token = _rendered_hashes.set(self.hashes)
        return self.hashes

    def __exit__(self, *exc) -> None:
        _rendered_hashes.reset(self._token)


def record_script_hashes(hashes: list[str]) -> None:
    """Count these hashes as rendered for the current request (a page served from a cache)."""
    current = _rendered_hashes.get()
    if current is not None:
        current.extend(hashes)


def _hash_rendered_script(body):
    hashes = _rendered_hashes.get()
    if hashes is not None:
        hashes.append(script_hash(str(body)))
    return body  # unchanged, and still Markup: autoescaping leaves it alone


def _hash_rendered_handler(body):
    hashes = _rendered_hashes.get()
    if hashes is not None:  # an event handler attribute runs only under 'unsafe-hashes'
        hashes += ["'unsafe-hashes'", script_hash(str(body))]
    return body


# An inline script in a template: its opening tag (which may hold Jinja expressions and
# statements, with no src attribute), its body and its closing tag.
_TAG_PART = r"(?:[^>{]|\{\{(?:(?!\}\}).)*\}\}|\{%(?:(?!%\}).)*%\}|\{(?![{%]))"
_INLINE_SCRIPT = re.compile(rf"(<script\b(?:(?!\bsrc\s*=){_TAG_PART})*>)(.*?)(</script\s*>)", re.DOTALL | re.IGNORECASE)
# An event handler attribute written out in a template (Datasette 1.0's table page has
# one: onclick="openColumnChooser()"); one holding Jinja is not allowed.
_HANDLER = re.compile(r"""(<[a-zA-Z][^<>{}]*?\son[a-z]+=")([^"<>{}]*)(")""")


class InlineScriptHashes(Extension):
    """Hash every inline ``<script>`` and event handler a template renders (see the
    module's docstring). ``preprocess`` is Jinja's hook for rewriting a template's source
    before it is parsed."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["provenance_csp_hash"] = _hash_rendered_script
        environment.filters["provenance_csp_handler"] = _hash_rendered_handler

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if "<script" in source.lower():
            source = _INLINE_SCRIPT.sub(
                lambda m: m.group(1) + "{% filter provenance_csp_hash %}" + m.group(2) + "{% endfilter %}" + m.group(3), source
            )
        if " on" in source:
            source = _HANDLER.sub(
                lambda m: m.group(1) + "{% filter provenance_csp_handler %}" + m.group(2) + "{% endfilter %}" + m.group(3), source
            )
        return source


# -- caching ----------------------------------------------------------------------------


def database_identity(path: str | Path) -> str:
    """What makes a database file's answers what they are: its build (the ``build_info``
    row: seeds digest, package version, time), else the file's size, time and inode."""
    path = Path(path)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            row = conn.execute("select * from build_info where id = 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        row = None
    if row:
        return "build:" + repr(tuple(row))
    stat = path.stat()
    return f"file:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"


def site_etag(databases: list[str], code: list[str]) -> str:
    """A weak ETag for every page of a site serving these database identities with this code.

    Weak, because Datasette's pages say how long their query took, so two answers from the
    same build are equivalent, not byte for byte the same.
    """
    digest = hashlib.sha256("\x1f".join([*databases, "\x1e", *code]).encode("utf-8")).hexdigest()[:32]
    return f'W/"{digest}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names this ETag (weak comparison, RFC 9110 13.1.2)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in if_none_match.split(","))


def is_cacheable_request(method: str, path: str, headers: dict[str, str]) -> bool:
    """Whether the answer to this request depends only on the build and the code.

    Not Datasette's introspection pages under ``/-/`` (its static files excepted), and not
    a request that may come from a signed-in actor (Datasette varies its answers by cookie
    and Authorization).
    """
    if method not in ("GET", "HEAD"):
        return False
    if path.startswith("/-/") and not path.startswith(("/-/static/", "/-/static-plugins/")):
        return False
    if "authorization" in headers or "ds_actor=" in headers.get("cookie", ""):
        return False
    return True


# -- bad requests ----------------------------------------------------------------------

_BAD_SORT = ("Cannot sort table by ", "Cannot use _sort and _sort_desc at the same time")
TOO_BIG = "string or blob too big"


def client_error(exception: BaseException, args: dict[str, str], url_vars: dict[str, str]) -> str | None:
    """The message for a 400 when a table page failed because of what the request asked for,
    else None (a real server error stays a 500).

    Datasette 0.65 answers 500 for a column it cannot sort by (1.0 answers 400), and both
    answer 500 when the SQL of ``?_where=`` fails other than by a syntax error (two
    statements, a value too big) and when a filter's value is malformed JSON
    (``?id__in=[1``). See https://github.com/simonw/datasette/issues/1770 for the hook.
    """
    if "table" not in url_vars:
        return None
    message = getattr(exception, "message", None) or str(exception)
    if getattr(exception, "status", None) == 500 and message.startswith(_BAD_SORT):
        return message
    if isinstance(exception, (sqlite3.Error, sqlite3.Warning)) and "_where" in args:
        if message == TOO_BIG:
            return f"Invalid _where: {TOO_BIG}: {TOO_BIG_NOTE}"
        return f"Invalid _where: {message}"
    if isinstance(exception, ValueError) and any(
        frame.filename.replace("\\", "/").endswith("datasette/filters.py")
        for frame in traceback.extract_tb(exception.__traceback__)
    ):
        return f"Invalid filter: {message}"
    return None

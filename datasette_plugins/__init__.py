"""The provenance pages for Datasette: claims, sources, contradictions, entities, search.

Thin hooks: each route finds the database, calls a pure function of ``provenance.pages``
in Datasette's thread pool, and renders a template. Loaded by ``provenance serve``, and by
plain ``datasette`` wherever the package is installed (it is a ``datasette`` entry point).

Every response, Datasette's own included, passes through :func:`asgi_wrapper` for its
headers (``provenance.web``): a content security policy allowing the inline scripts the
templates rendered, and, for pages of the immutable database, an ETag and Cache-Control.
Every SQLite connection is bounded by ``provenance.sqllimits``.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import NotFound as DatasetteNotFound
from datasette.utils.asgi import Response

from provenance import NotFound, __version__, pages, sqllimits, web

ROBOTS_TXT = "User-agent: *\nDisallow: /\n"

# Highlighted source texts, by database file and source, kept while the process runs (the
# database is immutable: a rebuild is a new file, and `provenance serve` restarts on it).
TEXT_CACHE_BYTES = int(os.environ.get("PROVENANCE_TEXT_CACHE_MB", "128")) * 2**20
_texts = pages.HighlightCache(TEXT_CACHE_BYTES)


def _database(datasette):
    if "provenance" in datasette.databases:
        return datasette.get_database("provenance")
    names = [name for name in datasette.databases if not name.startswith("_")]
    if not names:
        raise DatasetteNotFound("no database")
    return datasette.get_database(names[0])


def _file_identity(path: str | None) -> tuple:
    if not path:
        return (None,)
    stat = os.stat(path)
    return (path, stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)


# Pages that depend on the build alone (the home page), worked out once per database file:
# the context, and for a reader without cookies the HTML with its scripts' hashes. Only the
# latest few are remembered.
_per_build: dict[tuple, Any] = {}


def _remember(key: tuple, value) -> None:
    while len(_per_build) >= 8:
        _per_build.pop(next(iter(_per_build)))
    _per_build[key] = value


async def _page(datasette, request, template: str, build, *args, once_per_build: bool = False, **kwargs):
    db = _database(datasette)
    json_format = request.url_vars.get("format") == "json"
    key = (_file_identity(db.path), build.__name__, args) if once_per_build else None
    anonymous = not (request.headers.get("cookie") or request.headers.get("authorization"))
    if key is not None and not json_format and anonymous and (key, "html") in _per_build:
        html, hashes = _per_build[(key, "html")]
        web.record_script_hashes(hashes)
        return Response.html(html)
    if key in _per_build:
        context = dict(_per_build[key])
    else:
        try:
            context = await db.execute_fn(lambda conn: build(conn, *args, **kwargs))
        except NotFound as ex:
            raise DatasetteNotFound(str(ex)) from ex
        if key is not None:
            _remember(key, dict(context))
    if json_format:
        return Response.json(_jsonable(context))
    context["database"] = db.name
    with web.collect_script_hashes() as hashes:
        html = pages.visible_controls(await datasette.render_template(template, context, request=request))
    web.record_script_hashes(hashes)
    if key is not None and anonymous:
        _remember((key, "html"), (html, hashes))
    return Response.html(html)


def _jsonable(context: dict) -> dict:
    return json.loads(json.dumps({k: v for k, v in context.items() if k not in ("diagram", "text", "windows")}, default=str))


def _int(value: str | None, default: int = 1) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


async def home(datasette, request):
    return await _page(datasette, request, "provenance_home.html", pages.home_context, once_per_build=True)


async def claim(datasette, request):
    return await _page(datasette, request, "provenance_claim.html", pages.claim_context, request.url_vars["id"])


async def source(datasette, request):
    """A page of the source's passages in their context (``?page=N``, or ``?ev=ID`` for the
    page holding a passage), or its whole text (``?full=1``)."""
    identity = _file_identity(_database(datasette).path)

    def highlighted(conn, source_id):
        return _texts.get((identity, source_id), lambda: pages.highlight_source(conn, source_id))

    return await _page(
        datasette,
        request,
        "provenance_source.html",
        pages.source_context,
        request.url_vars["id"],
        page=_int(request.args.get("page")),
        around=request.args.get("ev"),
        full=request.args.get("full") == "1",
        highlighted=highlighted,
    )


async def entity(datasette, request):
    return await _page(datasette, request, "provenance_entity.html", pages.entity_context, request.url_vars["id"])


async def contradictions(datasette, request):
    kind, entity_name = request.args.get("kind"), request.args.get("entity")
    return await _page(
        datasette,
        request,
        "provenance_contradictions.html",
        pages.contradictions_context,
        kind,
        entity_name,
        _int(request.args.get("page")),
    )


async def search(datasette, request):
    return await _page(datasette, request, "provenance_search.html", pages.search_context, request.args.get("q", ""))


async def robots_txt():
    return Response.text(ROBOTS_TXT)


ID = r"(?P<id>[^/]+?)"  # any segment: an unknown id is our clean 404, not Datasette redirecting
FORMAT = r"(\.(?P<format>json))?"


@hookimpl
def register_routes():
    return [
        (r"^/$", home),
        (rf"^/claim/{ID}{FORMAT}$", claim),
        (rf"^/source/{ID}{FORMAT}$", source),
        (rf"^/entity/{ID}{FORMAT}$", entity),
        (rf"^/contradictions{FORMAT}$", contradictions),
        (rf"^/search{FORMAT}$", search),
        (r"^/robots\.txt$", robots_txt),
    ]


# -- headers on every response ------------------------------------------------------------

EVERYWHERE = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin")]


@functools.cache
def _code_identity() -> tuple[str, ...]:
    """The versions and the files that make the pages what they are (for the ETag)."""
    from datasette.version import __version__ as datasette_version

    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in sorted([*here.rglob("*"), *(here.parent / "provenance").glob("*.py")]):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return (__version__, datasette_version, digest.hexdigest())


class _SiteETag:
    """The ETag of every page while the site's databases are these immutable files."""

    def __init__(self, datasette):
        self.datasette = datasette
        self._files: tuple | None = None
        self._etag: str | None = None

    def __call__(self) -> str | None:
        dbs = [db for name, db in self.datasette.databases.items() if not name.startswith("_")]
        if not dbs or any(db.is_mutable or not db.path for db in dbs):
            return None  # answers may change between two requests: nothing to promise
        files = tuple(_file_identity(db.path) for db in dbs)
        if files != self._files:
            self._etag = web.site_etag([web.database_identity(db.path) for db in dbs], list(_code_identity()))
            self._files = files
        return self._etag


def _with_headers(headers: list, script_hashes: list[str], etag: str | None, status: int) -> list:
    present = {name.lower() for name, _ in headers}
    headers = [(n, v) for n, v in headers if n.lower() != b"content-security-policy"]
    headers += [(n, v) for n, v in EVERYWHERE if n not in present]
    headers.append((b"content-security-policy", web.content_security_policy(script_hashes).encode()))
    # A response setting a cookie is someone's own (Datasette marks it private, no-store).
    if etag and status == 200 and b"set-cookie" not in present:
        headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
        headers.append((b"cache-control", web.CACHE_CONTROL.encode()))
        if b"etag" not in present:  # Datasette's own ETag on a database download stays
            headers.append((b"etag", etag.encode()))
    return headers


# Requests a process works on at once (until each starts its answer); the others wait their
# turn, first come first served.
# Datasette's pages await SQL in its threads many times (a table page a dozen times), and
# each await goes to the back of the event loop's queue: with 32 requests in a process a
# table page waited seconds behind the others' steps. Admitting a few at a time keeps the
# queue short and the wait fair; the process stays busy (its threads' SQLite work overlaps).
CONCURRENCY = int(os.environ.get("PROVENANCE_CONCURRENCY", "4"))


@hookimpl
def asgi_wrapper(datasette):
    site_etag = _SiteETag(datasette)
    turns = asyncio.Semaphore(CONCURRENCY)

    def wrap(app):
        async def provenance_headers(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            request_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            etag = site_etag() if web.is_cacheable_request(scope["method"], scope["path"], request_headers) else None
            if etag and web.etag_matches(request_headers.get("if-none-match"), etag):
                # 304, without doing the work. No Content-Security-Policy: a 304 has no
                # document of its own, and the browser would store the header with the page
                # it already holds, whose inline scripts this policy (computed from no
                # rendering) would not list.
                headers = [
                    (b"etag", etag.encode()),
                    (b"cache-control", web.CACHE_CONTROL.encode()),
                    (b"vary", b"Cookie, Authorization"),
                ]
                await send({"type": "http.response.start", "status": 304, "headers": headers + EVERYWHERE})
                await send({"type": "http.response.body", "body": b""})
                return

            # A turn lasts until the answer starts: a page's work is done by then, and a long
            # download (the database file, a streamed CSV) must not hold a turn while it is sent.
            turn = [True]
            await turns.acquire()

            def end_turn() -> None:
                if turn:
                    turn.clear()
                    turns.release()

            with web.collect_script_hashes() as hashes:

                async def send_with_headers(message):
                    if message["type"] == "http.response.start":
                        end_turn()
                        message = {
                            **message,
                            "headers": _with_headers(list(message.get("headers", [])), hashes, etag, message["status"]),
                        }
                    await send(message)

                try:
                    await app(scope, receive, send_with_headers)
                finally:
                    end_turn()

        return provenance_headers

    return wrap


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["path_id"] = pages.path_id
    env.filters["safe_url"] = pages.safe_url
    env.add_extension(web.InlineScriptHashes)
    # Jinja checks every template file's time on every use by default (a stat per include,
    # about twenty a page); the templates are package data, fixed while the server runs.
    env.auto_reload = False


# -- SQL and errors --------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _length_limit(identity: tuple) -> int | None:
    largest = sqllimits.largest_text(identity[0])
    return sqllimits.length_limit(largest) if largest is not None else None


@hookimpl
def prepare_connection(conn, database, datasette):
    db = datasette.databases.get(database)
    path = getattr(db, "path", None) if db is not None else None
    # A provenance database is bounded by its own longest text; an in-memory one by the
    # minimum. Another database file attached beside it may hold longer values than we
    # know of, so it keeps SQLite's limit (its functions are bounded all the same).
    limit = _length_limit(_file_identity(path)) if path else sqllimits.MIN_LENGTH_LIMIT
    sqllimits.bound_connection(conn, limit)


@hookimpl
def handle_exception(datasette, request, exception):
    """A table page that failed because of what the request asked for is a 400, with
    Datasette's own error page; everything else is left to Datasette."""
    message = web.client_error(exception, request.args, request.url_vars)
    if message is None:
        return None
    from datasette.handle_exception import handle_exception as error_page
    from datasette.views.base import DatasetteError

    return error_page(datasette, request, DatasetteError(message, title="Invalid request", status=400))


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins("provenance", "provenance.css")]


@hookimpl
def extra_js_urls(datasette):
    return [datasette.urls.static_plugins("provenance", "provenance.js")]

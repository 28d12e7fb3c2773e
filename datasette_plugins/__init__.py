"""The provenance pages for Datasette: claims, sources, contradictions, entities, search.

Thin hooks: each route finds the database, calls a pure function of ``provenance.pages``
in Datasette's thread pool, and renders a template. Loaded by ``provenance serve``, and by
plain ``datasette`` wherever the package is installed (it is a ``datasette`` entry point).
"""

from __future__ import annotations

import json

from datasette import hookimpl
from datasette.utils.asgi import NotFound as DatasetteNotFound
from datasette.utils.asgi import Response

from provenance import NotFound
from provenance import pages

ROBOTS_TXT = "User-agent: *\nDisallow: /\n"

# Our pages build no inline script and load nothing from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _database(datasette):
    if "provenance" in datasette.databases:
        return datasette.get_database("provenance")
    names = [name for name in datasette.databases if not name.startswith("_")]
    if not names:
        raise DatasetteNotFound("no database")
    return datasette.get_database(names[0])


async def _page(datasette, request, template: str, build, *args):
    db = _database(datasette)
    try:
        context = await db.execute_fn(lambda conn: build(conn, *args))
    except NotFound as ex:
        raise DatasetteNotFound(str(ex))
    if request.url_vars.get("format") == "json":
        return Response.json(_jsonable(context), headers=SECURITY_HEADERS)
    context["database"] = db.name
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, headers=SECURITY_HEADERS)


def _jsonable(context: dict) -> dict:
    return json.loads(json.dumps({k: v for k, v in context.items() if k not in ("diagram", "text")}, default=str))


async def home(datasette, request):
    return await _page(datasette, request, "provenance_home.html", pages.home_context)


async def claim(datasette, request):
    return await _page(datasette, request, "provenance_claim.html", pages.claim_context, request.url_vars["id"])


async def source(datasette, request):
    return await _page(datasette, request, "provenance_source.html", pages.source_context, request.url_vars["id"])


async def entity(datasette, request):
    return await _page(datasette, request, "provenance_entity.html", pages.entity_context, request.url_vars["id"])


async def contradictions(datasette, request):
    kind, entity_name = request.args.get("kind"), request.args.get("entity")
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    return await _page(
        datasette, request, "provenance_contradictions.html", pages.contradictions_context, kind, entity_name, page
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


# Headers for every response, Datasette's own pages included (their inline scripts rule
# out a script CSP there, so the strict policy above is sent on our pages only).
EVERYWHERE = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin")]


@hookimpl
def asgi_wrapper():
    def wrap(app):
        async def with_headers(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)

            async def send_with_headers(message):
                if message["type"] == "http.response.start":
                    present = {name.lower() for name, _ in message.get("headers", [])}
                    extra = [(n, v) for n, v in EVERYWHERE if n not in present]
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
                await send(message)

            await app(scope, receive, send_with_headers)

        return with_headers

    return wrap


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins("provenance", "provenance.css")]


@hookimpl
def extra_js_urls(datasette):
    return [datasette.urls.static_plugins("provenance", "provenance.js")]


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["path_id"] = pages.path_id
    env.filters["safe_url"] = pages.safe_url

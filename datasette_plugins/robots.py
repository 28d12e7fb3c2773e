"""Block search-engine robots by default: the site is for readers who come to it on purpose."""

from datasette import hookimpl
from datasette.utils.asgi import Response

ROBOTS_TXT = "User-agent: *\nDisallow: /\n"


async def robots_txt():
    return Response.text(ROBOTS_TXT)


@hookimpl
def register_routes():
    return [(r"^/robots\.txt$", robots_txt)]

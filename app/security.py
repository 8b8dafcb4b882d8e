"""Safe defaults for every response: allowed hosts, same-origin writes, strict headers.

* The ``Host`` header must name the interface the app listens on (or ``localhost``), so a web
  page elsewhere cannot reach the app through DNS rebinding.
* A request that changes something (``POST``) from a browser must come from the app's own
  origin: a page on another site cannot upload, start or stop runs.
* Responses carry a Content-Security-Policy (scripts, styles and images from the app only; the
  rendered reports allow their inline CSS and ``data:`` images and nothing else), ``nosniff``,
  no referrer and no framing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

APP_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob: mediastream:; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'"
LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def allowed_hosts(host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """Host names accepted in the ``Host`` header for an app bound to ``host``."""
    names = set(LOCAL_NAMES) | {h.lower() for h in extra}
    if host not in ("0.0.0.0", "::", ""):
        names.add(host.lower())
    return frozenset(names)


def _hostname(value: str) -> str:
    try:
        return (urlsplit(f"//{value}").hostname or "").lower()
    except ValueError:
        return ""


def guard(
    hosts: frozenset[str], any_host: bool = False
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """Return the HTTP middleware enforcing the rules of the module docstring.

    Args:
        hosts: accepted host names (:func:`allowed_hosts`).
        any_host: accept any ``Host`` (the app was bound to all interfaces on purpose).
    """

    async def middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        host = _hostname(request.headers.get("host", ""))
        if not any_host and host not in hosts:
            return JSONResponse({"error": f"host {host!r} is not served here"}, status_code=400)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            origin = request.headers.get("origin")
            own = request.headers.get("host", "").lower()
            if origin is not None and urlsplit(origin).netloc.lower() != own:
                return JSONResponse(
                    {"error": "cross-origin requests may not change anything here"},
                    status_code=403,
                )
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", APP_CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    return middleware

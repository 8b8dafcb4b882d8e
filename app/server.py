"""The app's routes (FastAPI): pages, the prediction API, the run browser and live runs.

Pages are static HTML and JavaScript from :data:`STATIC_DIR` (an allow-list of files read at
start) that talk to the JSON API below; the report, history and comparison pages are rendered
by :mod:`reports` (:mod:`app.run_pages`).

API:
* ``POST /api/predict`` (multipart field ``image``): ``{"faces": [{"box": [x, y, w, h],
  "detected": bool, "scores": {"golden": {class: p}, "float": {...}, "board": {...}}}], ...}``
  (a source that is not available is left out; ``sources`` says why);
* ``GET /api/info``, ``GET /api/runs``, ``GET /api/runs/{id}``,
  ``GET /api/runs/{id}/faces/{index}.png``;
* ``POST /api/live`` (JSON ``{"limit": N, "model": name}``), ``GET /api/live`` (the latest
  run: ``{"job", "total", "running"}``), ``GET /api/live/{job}/events``
  (server-sent events ``progress`` and ``done``), ``POST /api/live/{job}/stop``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import (
    FileResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)

from app.catalog import run_details, run_row
from app.errors import NotFoundError, ServeError
from app.faces import find_faces
from app.security import REPORT_CSP, allowed_hosts, guard
from app.state import AppState, default_test_set_size
from app.uploads import MAX_UPLOAD_BYTES, check_upload
from golden.errors import FerhilError

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
#: Pages of the app (path -> static file).
PAGES = {"/": "index.html", "/runs": "runs.html", "/live": "live.html"}
#: Multipart overhead allowed on top of the image itself.
FORM_OVERHEAD = 64 * 1024
MAX_LIVE_LIMIT = 5000


def _static_files() -> dict[str, tuple[bytes, str]]:
    files = {}
    for path in sorted(STATIC_DIR.iterdir()):
        if path.suffix in STATIC_TYPES and path.is_file():
            files[path.name] = (path.read_bytes(), STATIC_TYPES[path.suffix])
    return files


def _html_page(path: Path) -> Response:
    headers = {"Content-Security-Policy": REPORT_CSP}
    return FileResponse(path, media_type="text/html", headers=headers)


def create_app(state: AppState, extra_hosts: tuple[str, ...] = ()) -> FastAPI:
    """Return the FastAPI app serving ``state``.

    Args:
        state: the app's parts (:func:`app.state.build_state`).
        extra_hosts: more accepted ``Host`` names (tests use ``testserver``).
    """
    app = FastAPI(title="ferhil", docs_url=None, redoc_url=None, openapi_url=None)
    host = state.config.host
    app.middleware("http")(
        guard(allowed_hosts(host, extra_hosts), any_host=host in ("0.0.0.0", "::"))
    )
    static = _static_files()

    @app.exception_handler(FerhilError)
    async def ferhil_error(request: Request, exc: FerhilError) -> JSONResponse:
        status = exc.status if isinstance(exc, ServeError) else 500
        return JSONResponse({"error": str(exc)}, status_code=status)

    def page(name: str) -> Response:
        body, media = static[name]
        return Response(body, media_type=media)

    for url, name in PAGES.items():
        app.add_api_route(url, lambda name=name: page(name), methods=["GET"])

    @app.get("/static/{name}")
    def static_file(name: str) -> Response:
        if name not in static:
            raise NotFoundError(f"no file {name!r} here")
        return page(name)

    @app.get("/runs/{run_id}")
    def run_page(run_id: str) -> Response:
        state.catalog.locate(run_id)
        return page("run.html")

    @app.get("/runs/{run_id}/{name}")
    def run_file(run_id: str, name: str) -> Response:
        if name == "history.html":
            return RedirectResponse("/history", status_code=303)
        found = state.pages.run_page(run_id, name)
        if found is None:
            raise NotFoundError(f"run {run_id} has no page {name!r} (no baseline to compare with?)")
        return _html_page(found)

    @app.get("/history")
    def history() -> Response:
        return _html_page(state.pages.history())

    @app.get("/api/info")
    def info() -> dict[str, Any]:
        model = state.model
        return {
            "model": {"name": model.name, "version": model.version, "hash": model.short_hash},
            "classes": list(model.classes),
            "sources": state.scorer.sources(),
            "stores": state.catalog.describe(),
            "run_board": state.config.run_board,
            "zoo": state.zoo_names(),
            "max_upload_bytes": MAX_UPLOAD_BYTES,
        }

    @app.post("/api/predict")
    async def predict(request: Request) -> JSONResponse:
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            return JSONResponse({"error": "send the photo as a multipart form"}, status_code=411)
        if int(length) > MAX_UPLOAD_BYTES + FORM_OVERHEAD:
            return JSONResponse(
                {"error": f"the upload is larger than {MAX_UPLOAD_BYTES:,} bytes"}, status_code=413
            )
        t0 = time.perf_counter()
        form = await request.form(max_files=1, max_fields=4)
        image = form.get("image")
        if image is None or isinstance(image, str):
            raise ServeError("send the photo in the multipart field 'image'")
        data = await image.read(MAX_UPLOAD_BYTES + 1)
        await form.close()
        from starlette.concurrency import run_in_threadpool

        return JSONResponse(await run_in_threadpool(_score, state, data, t0))

    @app.get("/api/runs")
    def runs() -> dict[str, Any]:
        rows = [run_row(label, run) for label, run in state.catalog.runs()]
        return {"stores": state.catalog.describe(), "runs": rows[::-1]}

    @app.get("/api/runs/{run_id}")
    def run_api(run_id: str) -> dict[str, Any]:
        document = state.catalog.document(run_id)
        details = run_details(document)
        images = state.gallery.images(run_id, document)
        for sample in details["misclassified"]:
            sample["image"] = sample["index"] in images
        details["pages"] = {
            "report": f"/runs/{run_id}/report.html",
            "comparison": f"/runs/{run_id}/comparison.html",
            "history": "/history",
        }
        return details

    @app.get("/api/runs/{run_id}/faces/{index}.png")
    def face_png(run_id: str, index: int) -> Response:
        from app.gallery import png

        images = state.gallery.cached(run_id)
        if images is None:
            images = state.gallery.images(run_id, state.catalog.document(run_id))
        if index not in images:
            raise NotFoundError(f"run {run_id} has no image for sample {index}")
        return Response(png(images[index]), media_type="image/png")

    @app.post("/api/live")
    async def live_start(request: Request) -> dict[str, Any]:
        try:
            body = await request.json()
            limit = int(body.get("limit", 20))
            model = body.get("model") or None
        except (ValueError, TypeError, AttributeError):
            raise ServeError('send JSON {"limit": N, "model": name}') from None
        if not 1 <= limit <= MAX_LIVE_LIMIT:
            raise ServeError(f"limit must lie in 1..{MAX_LIVE_LIMIT}")
        if model is not None and model not in state.zoo_names():
            raise ServeError(f"unknown model {model!r}; pick one of {state.zoo_names()}")
        job = state.live.start(limit, default_test_set_size(), model)
        return {"job": job.id, "total": job.total, "board": state.config.run_board}

    @app.get("/api/live")
    def live_latest() -> dict[str, Any]:
        job = state.live.latest()
        if job is None:
            return {"job": None, "running": False}
        return {"job": job.id, "total": job.total, "running": job.poll() is None}

    @app.get("/api/live/{job_id}/events")
    def live_events(job_id: str) -> StreamingResponse:
        job = state.live.get(job_id)

        def stream() -> Iterator[str]:
            for event, data in job.events():
                yield f"event: {event}\ndata: {json.dumps(data)}\n\n"

        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

    @app.post("/api/live/{job_id}/stop")
    def live_stop(job_id: str) -> dict[str, Any]:
        state.live.stop(job_id)
        return {"job": job_id, "stopping": True}

    return app


def _score(state: AppState, data: bytes, t0: float) -> dict[str, Any]:
    upload = check_upload(data)
    faces = find_faces(upload)
    scores = state.scorer.score([f.pixels for f in faces])
    notes = []
    if faces and not faces[0].detected and (upload.width, upload.height) != (48, 48):
        notes.append("no face found: the centred square of the photo was scored")
    return {
        "model": {
            "name": state.model.name,
            "version": state.model.version,
            "hash": state.model.short_hash,
        },
        "classes": list(state.model.classes),
        "image": {"width": upload.width, "height": upload.height, "format": upload.format},
        "sources": state.scorer.sources(),
        "faces": [
            {"box": list(f.box), "detected": f.detected, "scores": s}
            for f, s in zip(faces, scores, strict=True)
        ],
        "notes": notes,
        "elapsed_ms": round(1000 * (time.perf_counter() - t0), 1),
    }

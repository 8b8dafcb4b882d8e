"""``ferhil serve``: the web app on this machine (``http://127.0.0.1:8765`` by default)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.config import DEFAULT_RUN_BOARD, ServeConfig
from app.errors import ServeError


def register(subparsers: Any) -> None:
    """Add ``serve`` to the ``ferhil`` parser."""
    serve = subparsers.add_parser(
        "serve",
        help="web app: score photos and webcam faces, browse runs, watch live HIL runs",
        description="Serve the ferhil web app. It listens on 127.0.0.1 (this machine only) "
        "unless --host says otherwise. Runs started from the app write into --work-dir (a "
        "temporary folder by default), never into out/.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="TCP port (default: 8765; 0: any)")
    serve.add_argument(
        "--db",
        metavar="URL",
        help="result store to browse (default: $FERHIL_DB, else out/ferhil-results.sqlite)",
    )
    serve.add_argument(
        "--model", metavar="REF", help="zoo name or .qmodel.npz (default: newest zoo model)"
    )
    serve.add_argument(
        "--board",
        help="an attached board (hostsim, qemu, max78000fthr or a lab name): uploads are "
        f"scored on it too and live runs use it (default: none; live runs: {DEFAULT_RUN_BOARD})",
    )
    serve.add_argument("--lab", type=Path, metavar="FILE", help="lab inventory YAML")
    serve.add_argument(
        "--work-dir",
        type=Path,
        metavar="DIR",
        help="folder for runs started from the app and rendered pages (default: a temporary "
        "folder removed on exit)",
    )
    serve.add_argument(
        "--record-in-db",
        action="store_true",
        help="record runs started from the app in --db too (default: only in --work-dir)",
    )
    serve.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    """Build the app, warm it up, serve until interrupted."""
    import uvicorn

    from app.background import bind
    from app.server import create_app
    from app.state import build_state

    config = ServeConfig(
        host=args.host,
        port=args.port,
        db=args.db,
        model=args.model,
        board=args.board,
        lab=args.lab,
        work_dir=args.work_dir,
        record_in_db=args.record_in_db,
    )
    state = build_state(config)
    try:
        print(f"ferhil serve: model {state.model.name} v{state.model.version}; warming up...")
        state.warm_up()
        for store in state.catalog.describe():
            print(f"ferhil serve: {store['label']} store: {store['url']}", flush=True)
        if config.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"ferhil serve: warning: listening on {config.host}: other machines can use it")
        try:
            sock = bind(config.host, config.port)
        except OSError as exc:
            raise ServeError(
                f"cannot listen on {config.host}:{config.port} ({exc.strerror}); pick another "
                "--port (0: any free port)"
            ) from None
        port = sock.getsockname()[1]
        shown = f"[{config.host}]" if ":" in config.host else config.host
        print(f"ferhil serve: open http://{shown}:{port}/ (Ctrl-C stops)", flush=True)
        server = uvicorn.Server(
            uvicorn.Config(create_app(state), log_level="warning", lifespan="off")
        )
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after a graceful shutdown
            print("ferhil serve: stopped")
        finally:
            sock.close()
    finally:
        state.close()
    return 0

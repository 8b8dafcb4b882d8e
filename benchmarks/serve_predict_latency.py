"""Upload-to-scores time of ``ferhil serve`` for a 640x480 photo with one face (target < 0.5 s).

Starts the app in this process (uvicorn on a free port of 127.0.0.1, a temporary work folder
and store), warms it up, then POSTs the same JPEG to ``/api/predict`` N times through a real
HTTP connection and prints the median, p90 and worst wall time from sending the upload to
having the JSON scores (face detection, golden int8 and float model), plus the server's own
share. The photo is a FER2013 face enlarged into a 640x480 frame when ../shared has the data,
else a drawn face; either way the detector must find exactly one face.

Usage: .venv/bin/python benchmarks/serve_predict_latency.py [--model REF] [--runs N]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from app.background import serve_in_thread
from app.config import ServeConfig
from app.drawn_face import drawn_face
from app.faces import detect_boxes
from app.state import build_state

TARGET_S = 0.5


def photo() -> tuple[Image.Image, str]:
    from fixtures.datasets import load_dataset
    from fixtures.paths import fer2013_file

    path = fer2013_file("publictest")
    if path is not None:
        images = load_dataset(path).images
        for index in range(0, len(images), 97):
            frame = Image.new("L", (640, 480), 128)
            face = Image.fromarray(images[index]).resize((220, 220), Image.Resampling.BILINEAR)
            frame.paste(face, (210, 130))
            if len(detect_boxes(np.asarray(frame))) == 1:
                return frame.convert("RGB"), f"FER2013 PublicTest image {index}, enlarged"
    return drawn_face(), "a drawn face (FER2013 not found)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    image, what = photo()
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=90)
    data = buf.getvalue()
    with tempfile.TemporaryDirectory(prefix="ferhil-bench-serve-") as tmp:
        t0 = time.perf_counter()
        state = build_state(
            ServeConfig(db=str(Path(tmp) / "none.sqlite"), model=args.model, work_dir=Path(tmp))
        )
        state.warm_up()
        startup = time.perf_counter() - t0
        try:
            with serve_in_thread(state) as url, httpx.Client(base_url=url, timeout=30) as client:
                times, server = [], []
                for _ in range(args.runs + 2):
                    t = time.perf_counter()
                    response = client.post("/api/predict", files={"image": ("p.jpg", data)})
                    times.append(time.perf_counter() - t)
                    body = response.json()
                    if response.status_code != 200 or len(body["faces"]) != 1:
                        sys.exit(f"unexpected answer {response.status_code}: {body}")
                    server.append(body["elapsed_ms"] / 1000)
        finally:
            state.close()
    times, server = times[2:], server[2:]  # the first two requests open the connection
    faces = body["faces"][0]
    print(f"model {body['model']['name']} v{body['model']['version']}; photo: {what}")
    print(
        f"640x480 JPEG ({len(data):,} bytes), face box {faces['box']}, "
        f"sources {list(faces['scores'])}"
    )
    print(f"app start-up incl. warm-up: {startup:.1f} s (torch, model, float weights, detector)")
    print(
        f"upload-to-scores over {len(times)} requests: median {statistics.median(times):.3f} s, "
        f"p90 {np.percentile(times, 90):.3f} s, worst {max(times):.3f} s "
        f"(server side median {statistics.median(server):.3f} s); target < {TARGET_S} s: "
        + ("met" if statistics.median(times) < TARGET_S else "NOT met")
    )


if __name__ == "__main__":
    main()

"""Render the C protocol header ``firmware/c/protocol_defs.h`` from :mod:`firmware.host.protocol`.

Run ``python -m firmware.builder.protocol_header`` after changing :mod:`firmware.host.protocol`; a
test
checks that the committed header equals the rendered one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2

from firmware.host import protocol

FIRMWARE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = FIRMWARE_DIR / "templates"
TEMPLATE_NAME = "protocol_defs.h.j2"
HEADER_PATH = FIRMWARE_DIR / "c" / "protocol_defs.h"


def render_protocol_header() -> str:
    """Return the text of ``protocol_defs.h`` for the current :mod:`firmware.host.protocol`."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    layouts = [
        (name, list(protocol.layout_offsets(layout).items()))
        for name, layout in protocol.LAYOUTS.items()
    ]
    sizes = {name: protocol.layout_size(layout) for name, layout in protocol.LAYOUTS.items()}
    return env.get_template(TEMPLATE_NAME).render(p=protocol, layouts=layouts, sizes=sizes)


def write_protocol_header(path: Path = HEADER_PATH) -> Path:
    """Render the header and write it to ``path`` (default: the committed location)."""
    path.write_text(render_protocol_header())
    return path


def main() -> int:
    """Write the header and print its path."""
    print(write_protocol_header())
    return 0


if __name__ == "__main__":
    sys.exit(main())

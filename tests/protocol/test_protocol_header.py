"""The committed C header equals the one rendered from firmware/host/protocol.py."""

from __future__ import annotations

import re

from firmware.builder.protocol_header import HEADER_PATH, render_protocol_header
from firmware.host import protocol as p


def test_committed_header_is_current() -> None:
    assert HEADER_PATH.read_text() == render_protocol_header(), (
        "firmware/c/protocol_defs.h is stale: "
        "run .venv/bin/python -m firmware.builder.protocol_header"
    )


def test_header_values_follow_protocol_module() -> None:
    text = render_protocol_header()
    defines = dict(re.findall(r"#define (FERHIL_\w+) (\S+)", text))
    assert int(defines["FERHIL_MAX_PAYLOAD"].rstrip("u")) == p.MAX_PAYLOAD
    assert int(defines["FERHIL_MSG_INFER"].rstrip("u"), 16) == p.MessageType.INFER
    assert int(defines["FERHIL_ERR_BAD_CRC"].rstrip("u")) == p.ErrorCode.BAD_CRC
    for name, layout in p.LAYOUTS.items():
        assert int(defines[f"FERHIL_{name}_SIZE"].rstrip("u")) == p.layout_size(layout)
        for field, offset in p.layout_offsets(layout).items():
            assert int(defines[f"FERHIL_{name}_OFF_{field.upper()}"].rstrip("u")) == offset


def test_limits_are_consistent() -> None:
    # a 48x48 int8 input fits one frame, and a maximal frame fits the 4 KiB bridge buffer
    assert p.MAX_PAYLOAD >= 48 * 48
    assert p.cobs_max_encoded_size(p.MAX_RAW_FRAME) + 2 <= p.MAX_WIRE_FRAME == 4096


def test_protocol_md_documents_every_field_and_size() -> None:
    doc = (HEADER_PATH.parent.parent / "PROTOCOL.md").read_text()
    assert f"# ferhil agent protocol (version {p.PROTOCOL_VERSION})" in doc
    for name, layout in p.LAYOUTS.items():
        assert f"`{name}`" in doc
        if name != "BENCH_REQUEST":
            assert f"`{name}` ({p.layout_size(layout)} bytes" in doc
        for field, _ in layout:
            assert field in doc, f"PROTOCOL.md does not describe {name}.{field}"
    for code in p.ErrorCode:
        assert f"| {code.value} | {code.name} |" in doc

"""Memory use of a GNU ld map file (the MSDK build's ``max78000.map``).

:func:`parse_map` reads the ``Memory Configuration`` table (regions such as FLASH and SRAM) and,
from the ``Linker script and memory map`` part, every allocated output section (``.text``,
``.data`` with its load address, ``.bss``, ...) and every kept input section
(``.rodata.kernels 0x10003de0 0x36194 .../cnn_adi_backend.o``; the build compiles with
``-ffunction-sections -fdata-sections``, so one per object). Discarded sections are ignored.
:func:`memory_use` sums them per region: flash holds code, constants and the ``.data`` load
image; SRAM holds ``.data``, ``.bss``, heap and stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_REGION = re.compile(r"^(\w+)\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)")
_SECTION = re.compile(
    r"^(?P<name>\.\S+)?\s+0x(?P<addr>[0-9a-fA-F]+)\s+0x(?P<size>[0-9a-fA-F]+)"
    r"(?:\s+load address 0x(?P<load>[0-9a-fA-F]+)|\s+(?P<obj>\S.*))?$"
)
_MAP_START = "Linker script and memory map"
_DEBUG_PREFIXES = (".debug", ".comment", ".ARM.attributes", ".stab")
#: SRAM sections with no flash image (ld still prints a load address for them).
_NO_IMAGE = frozenset({".bss", ".stack_dummy", ".heap", ".noinit"})


@dataclass(frozen=True)
class MapSection:
    """One output or input section of a map.

    Attributes:
        name: section name (``.text``, ``.rodata.kernels``).
        address: run-time address.
        size: bytes.
        load: load address (differs for ``.data``), else the address.
        obj: the object file of an input section, "" for an output section.
    """

    name: str
    address: int
    size: int
    load: int
    obj: str = ""


@dataclass(frozen=True)
class LinkMap:
    """The parts of a map file ferhil reads."""

    regions: dict[str, tuple[int, int]]
    sections: list[MapSection]
    inputs: list[MapSection]

    def region_of(self, address: int) -> str | None:
        """Return the region holding ``address`` (FLASH, SRAM, ...), or None."""
        for name, (origin, length) in self.regions.items():
            if name != "*default*" and origin <= address < origin + length:
                return name
        return None

    def find_input(self, name: str) -> MapSection | None:
        """Return the kept input section ``name`` (e.g. ``.rodata.kernels``), or None."""
        return next((s for s in self.inputs if s.name == name), None)


def parse_map(text: str) -> LinkMap:
    """Parse a GNU ld map (see the module docstring)."""
    regions: dict[str, tuple[int, int]] = {}
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.startswith(_MAP_START)), len(lines))
    in_config = False
    for line in lines[:start]:
        if line.startswith("Memory Configuration"):
            in_config = True
        elif in_config and (m := _REGION.match(line)):
            regions[m.group(1)] = (int(m.group(2), 16), int(m.group(3), 16))
    sections: list[MapSection] = []
    inputs: list[MapSection] = []
    pending: str | None = None
    for line in lines[start:]:
        if re.match(r"^ ?\.\S+$", line):  # a long name: its numbers are on the next line
            pending = line.strip()
            continue
        m = _SECTION.match(line)
        if m is None:
            pending = None
            continue
        name = m.group("name") or pending
        pending = None
        if name is None or name.startswith(_DEBUG_PREFIXES):
            continue
        addr, size = int(m.group("addr"), 16), int(m.group("size"), 16)
        load = int(m.group("load"), 16) if m.group("load") else addr
        is_output = not line.startswith(" ") or (m.group("name") is None and not m.group("obj"))
        if m.group("obj"):
            inputs.append(MapSection(name, addr, size, load, m.group("obj").strip()))
        elif is_output:
            sections.append(MapSection(name, addr, size, load))
    return LinkMap(regions=regions, sections=sections, inputs=inputs)


def memory_use(text: str) -> dict[str, int]:
    """Return the memory use of a map.

    Returns:
        ``flash_used`` (every byte stored in FLASH, ``.data``'s load image included),
        ``flash_size``, ``sram_used`` (every SRAM section: ``.data``, ``.bss``, heap, stack),
        ``sram_size``, and the ``text``, ``data`` and ``bss`` sizes.
    """
    lm = parse_map(text)
    use = {"flash_used": 0, "sram_used": 0, "text": 0, "data": 0, "bss": 0}
    for sec in lm.sections:
        if sec.size == 0:
            continue
        run, stored = lm.region_of(sec.address), lm.region_of(sec.load)
        if run == "FLASH" or (stored == "FLASH" and sec.name not in _NO_IMAGE):
            use["flash_used"] += sec.size
        if run == "SRAM":
            use["sram_used"] += sec.size
        if sec.name == ".data":
            use["data"] += sec.size
        elif sec.name == ".bss":
            use["bss"] += sec.size
        elif run == "FLASH":
            use["text"] += sec.size
    use["flash_size"] = lm.regions.get("FLASH", (0, 0))[1]
    use["sram_size"] = lm.regions.get("SRAM", (0, 0))[1]
    return use

"""Option rows of a lab: labgrid places and the coordinator (imported by the option table)."""

from __future__ import annotations

from harness.suite.options import OPTIONS, Option, in_group

LAB_OPTIONS: tuple[Option, ...] = (
    Option(
        "place",
        "labgrid place(s) to test, comma-separated: acquired through the coordinator, their "
        "serial port and probe used, released at the end (the place tag ferhil_kind names the "
        "board kind; default max78000fthr)",
        env="LG_PLACE",
        metavar="NAME[,NAME...]",
    ),
    Option(
        "coordinator",
        "labgrid coordinator address host:port (default: $LG_COORDINATOR, else labgrid's own)",
        env="LG_COORDINATOR",
        metavar="HOST:PORT",
    ),
)

OPTIONS.add(*in_group("board", LAB_OPTIONS))

"""A board reached through a labgrid place (``--place NAME`` or ``place:`` in the inventory).

Building the board acquires the place (:class:`~harness.devices.labgrid_place.PlaceLease`) and reads
its
resources; the console link is the place's serial port (a ``NetworkSerialPort`` exported by a
labgrid exporter through ser2net, opened as ``rfc2217://``, or a local one). What runs behind
the place is a board kind: ``kind:`` of the inventory entry, else the place's ``ferhil_kind``
tag, else ``max78000fthr``. Programmed firmware is expected to persist (connect first, HELLO
identity check); a real board is programmed through the place's debug probe with ferhil's
flasher, a simulated board behind a place cannot be programmed. Closing the board releases
the place (and so does interpreter exit, e.g. after Ctrl-C).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from firmware.host.link import Transport
from harness.devices.boards.base import Board, BoardFacts, BoardSpec
from harness.devices.labgrid_place import KIND_TAG, PlaceLease
from harness.devices.transports import open_transport
from harness.errors import FlashError

PLACE_KIND = "labgrid"
DEFAULT_KIND = "max78000fthr"


class LabgridBoard(Board):
    """A board behind a labgrid place."""

    def __init__(self, spec: BoardSpec) -> None:
        place = spec.place or spec.name
        self.lease = PlaceLease(place, spec.coordinator)
        self.lease.acquire()
        try:
            self.resources = self.lease.resources()
        except BaseException:
            self.lease.release()
            raise
        kind = spec.kind if spec.kind != PLACE_KIND else None
        kind = kind or self.resources.tags.get(KIND_TAG) or DEFAULT_KIND
        super().__init__(
            replace(spec, kind=kind, probe=spec.probe or self.resources.probe),
            BoardFacts(
                name=spec.name,
                kind=kind,
                firmware_board=kind,
                simulated=kind != DEFAULT_KIND,
                persistent=True,
                board_id=f"labgrid:{place}",
                probe=f"labgrid place {place} ({self.lease.coordinator})",
            ),
        )

    def _program(self, image: Path) -> None:
        """Program a real board through the place's probe (simulated places cannot be).

        Raises:
            FlashError: for a simulated board or a place without a debug probe.
        """
        if self.facts.simulated or not self.spec.probe:
            raise FlashError(
                f"board {self.facts.name} behind labgrid place {self.lease.name} cannot be "
                "programmed by ferhil (no debug probe resource, or a simulated board); start it "
                "with the firmware under test"
            )
        from harness.devices.boards.max78000fthr import Max78000FthrBoard

        Max78000FthrBoard(self.spec).flasher.flash(image)

    def _open_link(self) -> Transport:
        """Open the place's serial port (acquiring the place again after a close)."""
        self.lease.acquire()
        return open_transport(
            self.resources.serial_url,
            baud=self.spec.baud or self.resources.speed or 115200,
            timeout=self.spec.read_timeout_s,
            wait_s=2.0,
        )

    def _release(self) -> None:
        """Release the place."""
        self.lease.release()

"""Programming through pyOCD's Python API, never waiting forever for a probe.

pyOCD has no built-in MAX78000 target: it needs ADI's MAX78000 CMSIS device family pack
(``Maxim.MAX78000.<version>.pack``), passed as ``--pack FILE``. The flasher

1. checks the target before touching the probe: built in, installed in pyOCD's pack cache
   (``pyocd pack install max78000``), or a ``--pack`` file that is a zip whose ``.pdsc``
   describes that device;
2. polls ``ConnectHelper.get_all_connected_probes(blocking=False)`` for up to
   ``probe_wait_s`` and picks the probe by unique id (a contains-match, as pyOCD does); zero or
   several candidates is a clear error instead of pyOCD's blocking prompt;
3. opens ``ConnectHelper.session_with_chosen_probe(blocking=False, return_first=True, ...)``
   with the target, pack, SWD frequency and connect mode, programs the image with
   ``FileProgrammer`` and resets the target so it runs;
4. bounds the whole operation by ``timeout_s`` (a worker thread; a hung probe is reported, not
   waited for).
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from harness.devices.flashers.base import LOWPOWER_LOCKOUT_HINT, FlasherSettings
from harness.errors import FlashError

LOG = logging.getLogger("ferhil.flash")

PACK_HINT = (
    "pyOCD has no built-in {target!r} target: download ADI's MAX78000 device family pack "
    "(Maxim.MAX78000.<version>.pack, from the Keil pack index https://www.keil.arm.com/packs/ "
    "or ADI's MSDK) and pass --pack FILE (or 'pack:' in the lab inventory, or FERHIL_PACK); "
    "or use --flasher openocd with ADI's MSDK OpenOCD"
)
LOCKOUT_HINT = (
    "if the probe cannot read the target (e.g. 'cannot read IDR'), retry with --connect-mode "
    "under-reset; " + LOWPOWER_LOCKOUT_HINT
)


def pack_devices(pack: Path) -> list[str]:
    """Return the device names (``Dname``) a CMSIS pack's ``.pdsc`` describes.

    Raises:
        FlashError: the file is not a zip holding a readable ``.pdsc``.
    """
    try:
        with zipfile.ZipFile(pack) as archive:
            pdsc = [n for n in archive.namelist() if n.lower().endswith(".pdsc")]
            if not pdsc:
                raise FlashError(f"CMSIS pack {pack} holds no .pdsc file; download the pack again")
            root = ElementTree.fromstring(archive.read(pdsc[0]))
    except (zipfile.BadZipFile, ElementTree.ParseError, OSError) as exc:
        raise FlashError(
            f"CMSIS pack {pack} is not a readable pack ({type(exc).__name__}: {exc}); "
            "download it again"
        ) from exc
    return [
        str(el.get("Dname"))
        for el in root.iter()
        if el.tag.rsplit("}", 1)[-1] in ("device", "variant") and el.get("Dname")
    ]


def _pyocd(module: str, attr: str) -> Any:
    return getattr(importlib.import_module(module), attr)


class PyOcdFlasher:
    """Flash through pyOCD (probe by unique id, CMSIS pack, connect mode, timeout)."""

    name = "pyocd"

    def __init__(self, settings: FlasherSettings) -> None:
        self.settings = settings
        self.probe: str | None = None

    def check_target(self) -> None:
        """Fail early when the target needs a pack that is missing.

        Raises:
            FlashError: with instructions to get the pack.
        """
        s = self.settings
        if s.pack is not None:
            if not Path(s.pack).is_file():
                raise FlashError(
                    f"CMSIS pack {s.pack} does not exist. " + PACK_HINT.format(target=s.target)
                )
            devices = pack_devices(Path(s.pack))
            if not any(d.lower() == s.target.lower() for d in devices):
                raise FlashError(
                    f"CMSIS pack {s.pack} describes {', '.join(devices) or 'no device'}, not "
                    f"{s.target!r}. " + PACK_HINT.format(target=s.target)
                )
            return
        builtin: dict[str, Any] = _pyocd("pyocd.target", "TARGET")
        if s.target.lower() in builtin or s.target.lower() in self.cached_pack_targets():
            return
        raise FlashError(PACK_HINT.format(target=s.target))

    def cached_pack_targets(self) -> set[str]:
        """Targets of the packs installed in pyOCD's pack cache (``pyocd pack install``)."""
        try:
            managed = _pyocd("pyocd.target.pack.pack_target", "ManagedPacks")
            return {str(d.part_number).lower() for d in managed.get_installed_targets()}
        except Exception:  # no cache or an unreadable index: only --pack remains
            return set()

    def choose_probe(self) -> str:
        """Return the unique id of the one probe matching the settings, polling briefly.

        Raises:
            FlashError: when no probe or several probes match.
        """
        helper = _pyocd("pyocd.core.helpers", "ConnectHelper")
        wanted = self.settings.probe
        deadline = time.monotonic() + self.settings.probe_wait_s
        while True:
            probes = helper.get_all_connected_probes(
                blocking=False, unique_id=wanted, print_wait_message=False
            )
            if probes or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        if not probes:
            which = f"matching unique id {wanted!r}" if wanted else "at all"
            raise FlashError(
                f"no debug probe {which} is connected (waited {self.settings.probe_wait_s:g} s). "
                "Plug in the board's USB cable (the MAX32625PICO/DAPLink port) and check "
                "`ferhil doctor`; pass --probe UID to pick one"
            )
        if len(probes) > 1:
            ids = ", ".join(f"{p.unique_id} ({p.description})" for p in probes)
            raise FlashError(f"{len(probes)} debug probes match; pass --probe UID: {ids}")
        return str(probes[0].unique_id)

    def _program(self, image: Path, outcome: dict[str, Any]) -> None:
        s = self.settings
        try:
            uid = self.choose_probe()
            helper = _pyocd("pyocd.core.helpers", "ConnectHelper")
            options: dict[str, Any] = {
                "target_override": s.target,
                "frequency": s.frequency_hz,
                "connect_mode": s.connect_mode,
            }
            if s.pack is not None:
                options["pack"] = str(s.pack)
            LOG.info("pyOCD programming %s on probe %s with %s", image, uid, options)
            session = helper.session_with_chosen_probe(
                blocking=False, return_first=True, unique_id=uid, auto_open=True, options=options
            )
            if session is None:
                raise FlashError(f"debug probe {uid} disappeared before it could be opened")
            programmer_cls = _pyocd("pyocd.flash.file_programmer", "FileProgrammer")
            with session:
                programmer_cls(session, chip_erase="sector", smart_flash=True).program(str(image))
                session.board.target.reset()
            outcome["probe"] = uid
        except FlashError as exc:
            outcome["error"] = exc
        except Exception as exc:  # pyOCD raises many types; report them all the same way
            outcome["error"] = FlashError(
                f"pyOCD could not program {image.name}: {type(exc).__name__}: {exc}; "
                + LOCKOUT_HINT
            )

    def flash(self, image: Path) -> None:
        """Program ``image`` and reset the target.

        Raises:
            FlashError: missing image or pack, no or ambiguous probe, pyOCD errors, timeout.
        """
        if not Path(image).is_file():
            raise FlashError(f"firmware image {image} does not exist; build it first")
        self.check_target()
        outcome: dict[str, Any] = {}
        worker = threading.Thread(
            target=self._program, args=(Path(image), outcome), name="ferhil-pyocd", daemon=True
        )
        worker.start()
        worker.join(self.settings.timeout_s)
        if worker.is_alive():
            LOG.error("pyOCD timed out after %g s", self.settings.timeout_s)
            raise FlashError(
                f"pyOCD did not finish programming within {self.settings.timeout_s:g} s "
                "(--flash-timeout); the probe may be hung: unplug and replug the board. "
                + LOCKOUT_HINT
            )
        if "error" in outcome:
            LOG.error("pyOCD flash failed: %s", outcome["error"])
            raise outcome["error"]
        self.probe = outcome.get("probe")
        LOG.info("flashed %s through probe %s", image, self.probe)

"""The terminal progress bar of a streaming run (tqdm on stderr)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def progress_bar(total: int, enabled: bool = True) -> Iterator[Callable[[int], None]]:
    """Yield ``update(done)``; draws a tqdm bar of ``total`` images when ``enabled``.

    On a terminal the bar redraws twice a second; in a log (CI) it writes a line every 30 s.
    """
    if not enabled:
        yield lambda done: None
        return
    from tqdm import tqdm

    with tqdm(
        total=total,
        unit="img",
        desc="ferhil HIL",
        file=sys.stderr,
        dynamic_ncols=True,
        mininterval=0.5 if sys.stderr.isatty() else 30.0,
    ) as bar:
        yield lambda done: bar.update(done - bar.n)

"""The model a benchmark measures: a zoo model, or a labelled synthetic stand-in."""

from __future__ import annotations

import numpy as np

from golden.errors import FerhilError
from golden.format import QuantModel
from golden.synthetic import fer_like_model
from golden.zoo import load_model, resolve_model_path


def pick_model(ref: str | None) -> tuple[QuantModel, str]:
    """Return ``(model, description)``: ``ref`` (default the newest zoo model).

    With an empty zoo and no ``ref``, returns ``golden.synthetic.fer_like_model`` (random weights
    of a realistic size) and says so in the description.
    """
    try:
        model = load_model(ref)
        path = resolve_model_path(ref)
        return model, f"{model.name} v{model.version} ({model.short_hash}, {path})"
    except FerhilError as exc:
        if ref is not None:
            raise
        model = fer_like_model(np.random.default_rng(0))
        return model, f"SYNTHETIC fer_like_model (random weights; zoo unavailable: {exc})"

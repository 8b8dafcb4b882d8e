"""Uploads scored on an attached board: the simulated board (hostsim over a real pty)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.board_session import BoardSession
from app.errors import BusyError
from app.scoring import Scorer
from golden.format import load
from golden.zoo import resolve_model_path


@pytest.mark.slow
def test_board_scores_equal_the_golden_scores_and_the_board_is_lent_to_runs(
    tmp_path: Path,
) -> None:
    path = resolve_model_path("fercnn-v1")  # no float weights: golden and board only
    model = load(path)
    board = BoardSession("hostsim", model, tmp_path / "board")
    scorer = Scorer(model, path, board)
    faces = list(np.random.default_rng(4).integers(0, 256, (3, 48, 48), dtype=np.uint8))
    try:
        assert scorer.sources()["board"] == {"available": True, "reason": None, "name": "hostsim"}
        scores = scorer.score(faces)
        assert [set(s) for s in scores] == [{"golden", "board"}] * 3
        assert [s["board"] for s in scores] == [s["golden"] for s in scores]  # bit-exact board
        board.lend()
        with pytest.raises(BusyError, match="running a HIL run"):
            scorer.score(faces[:1])
        board.take_back()
        assert scorer.score(faces[:1])[0]["board"] == scores[0]["board"]
    finally:
        board.close()

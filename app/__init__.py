"""``ferhil serve``: the web app (scores of uploaded faces, run browser, live HIL runs).

The top layer: it uses :mod:`golden` (integer model), :mod:`models` (float model),
:mod:`harness` (preprocessing, boards, result store, ``ferhil run``) and :mod:`reports` (pages).
Nothing below imports it. Modules: :mod:`~app.cli` (the command), :mod:`~app.server` (routes),
:mod:`~app.uploads` (defensive decoding), :mod:`~app.faces` (detection and crops),
:mod:`~app.scoring` (golden, float and board scores), :mod:`~app.board_session` (a board kept
open), :mod:`~app.catalog` (runs of the result stores), :mod:`~app.verdict` (a run's verdict),
:mod:`~app.run_pages` (report, history and comparison pages), :mod:`~app.gallery` (face images
of a run), :mod:`~app.live` (runs started from the app, streamed as server-sent events),
:mod:`~app.security` (hosts, origins, headers), :mod:`~app.state` (the app's parts),
:mod:`~app.config`, :mod:`~app.errors`, :mod:`~app.background` (serving from a thread) and
:mod:`~app.drawn_face` (a synthetic face for demos and tests).
"""

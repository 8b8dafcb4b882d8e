"""The history page (``history.html``): runs across model versions."""

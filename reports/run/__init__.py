"""The per-run report page (``report.html``): its views and plots."""

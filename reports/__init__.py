"""Rendering of HIL result data: HTML reports, plots and regression pages."""

"""What every page shares: the results-dict view, value readers, formatting, templating.

Page templates stay in ``reports/templates``.
"""

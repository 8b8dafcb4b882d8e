"""The comparison page (``comparison.html``): a new run against a base run."""

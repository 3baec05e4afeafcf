"""selectors of the core app."""

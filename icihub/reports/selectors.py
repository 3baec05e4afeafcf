"""selectors of the reports app."""

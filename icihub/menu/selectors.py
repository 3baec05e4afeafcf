"""selectors of the menu app."""

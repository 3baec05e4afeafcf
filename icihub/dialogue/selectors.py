"""selectors of the dialogue app."""

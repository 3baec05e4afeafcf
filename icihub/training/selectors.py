"""selectors of the training app."""

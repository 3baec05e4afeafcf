"""services of the training app."""

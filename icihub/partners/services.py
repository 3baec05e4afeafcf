"""services of the partners app."""

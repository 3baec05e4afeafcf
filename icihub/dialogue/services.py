"""services of the dialogue app."""

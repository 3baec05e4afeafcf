"""services of the menu app."""

"""services of the reports app."""

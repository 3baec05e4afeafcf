"""services of the programmes app."""

"""selectors of the programmes app."""

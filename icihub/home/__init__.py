"""The home page: the top layer, above planning. It composes what every app
offers (the initiative at a glance, the latest dialogue, each user's alerts, the
figures) and may import any app; no app imports it."""

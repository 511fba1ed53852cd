"""Views that are announced but not built yet: each gets a "coming soon" page."""

UPCOMING = {}

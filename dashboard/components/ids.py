"""Component ids shared across pages (page-specific ids live in their page, prefixed)."""

URL = "url"
FILTER_PERIOD = "filter-period"
FILTER_START = "filter-start"
FILTER_END = "filter-end"
FILTER_PLANT = "filter-plant"
FILTER_APPLY = "filter-apply"
FILTER_MESSAGES = "filter-messages"

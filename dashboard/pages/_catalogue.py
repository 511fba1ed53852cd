"""Views that are announced but not built yet: each gets a "coming soon" page."""

UPCOMING = {
    "/capa": ("CAPA", "Corrective and preventive actions, on-time closure and effectiveness."),
    "/audits": ("Audit findings", "Open findings by clause and severity."),
}

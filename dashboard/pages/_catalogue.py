"""Views that are announced but not built yet: each gets a "coming soon" page."""

UPCOMING = {
    "/voc": ("Voice of the customer", "NPS, complaints and comment themes tied to defect codes."),
    "/okr": ("OKR progress", "Objectives, key results, check-ins and forecasts."),
    "/capa": ("CAPA", "Corrective and preventive actions, on-time closure and effectiveness."),
    "/audits": ("Audit findings", "Open findings by clause and severity."),
}

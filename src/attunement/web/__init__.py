"""The local web app: `attune serve`. Pages and the JSON API call the same services as
the CLI; see app.create_app."""

from attunement.web.app import Settings, create_app

__all__ = ["Settings", "create_app"]

"""Dataclasses and services: the use cases that the CLI, the web app and the API share."""

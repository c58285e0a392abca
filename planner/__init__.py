"""Strangler Planner: plans the extraction of a legacy monolith into services, wave by wave."""

__version__ = "0.1.0"

"""Delivery of digests: SMTP, or a file outbox when no SMTP is configured."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import Settings
    from .errors import Problem
    from .yamlio import Located


def validate_delivery(settings: Settings, located: Located | None) -> list[Problem]:
    """Check the smtp, subscribers and digest sections (DIGEST owner fills in)."""
    return []

"""Sources: where articles come from, one registry by ``kind``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import Settings
    from ..errors import Problem
    from ..yamlio import Located


def validate_sources(settings: Settings, located: Located | None) -> list[Problem]:
    """Check every source entry against its kind's declared keys (SOURCES owner fills in)."""
    return []

"""Sources: where articles come from, one registry by ``kind``."""

"""crawler/extract."""

"""arsip test suite."""

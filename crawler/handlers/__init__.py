"""Download handlers of the arsip crawler (Scrapy's, adjusted for archiving)."""

"""Scrapy extensions of arsip."""

"""Spiders of the arsip Scrapy project."""

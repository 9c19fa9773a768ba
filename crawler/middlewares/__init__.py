"""Downloader middlewares of the arsip crawler.

- `warc_capture.WarcCaptureMiddleware` (order 950): every HTTP exchange to WARC.
"""

"""End-to-end tests: real Chromium, driven through Playwright, against Django's live server."""

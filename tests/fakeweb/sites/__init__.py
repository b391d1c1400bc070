"""One module per fake site: ``routes(site)`` returns its aiohttp routes; source sites also declare
``HIT`` / ``MISS`` (test AVIDs) and ``expected_stream(site, avid)`` (the URL a correct source finds)."""

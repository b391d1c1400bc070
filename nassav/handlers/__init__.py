"""The web layer: routes, thin handlers, the envelope, the guard every handler runs in (API key,
validation, error answers), security, OpenAPI, and the views that turn typed results into JSON."""

API = "/nassav/api"  # every endpoint's prefix
PAGE = "/nassav/"  # the web page
PAGE_FILES = "/nassav/ui/"  # its scripts, styles and icon
DOCS = f"{API}/docs"  # Swagger UI
OPENAPI = f"{API}/openapi.json"

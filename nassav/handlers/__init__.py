"""The web layer: routes, thin handlers, the envelope, the guard every handler runs in (API key,
validation, error answers), security, OpenAPI, and the views that turn typed results into JSON."""

API = "/nassav/api"  # every endpoint's prefix

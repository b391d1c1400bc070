"""The web layer: routes, thin handlers, the envelope and error middleware, security, request
validation, OpenAPI, and the views that turn typed results into JSON."""

API = "/nassav/api"  # every endpoint's prefix

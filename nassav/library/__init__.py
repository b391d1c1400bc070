"""The resource/ tree: model, files (every write under a per-AVID lock), index, images, the finder
(network), and the service the API calls."""

"""The resource/ tree: model, files, index, images, and the service that is its only writer."""

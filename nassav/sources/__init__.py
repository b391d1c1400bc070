"""The web sources a resource can be found on."""

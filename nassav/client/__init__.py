"""The command line client: the REST API of a running server as typed calls (api), the commands that
use them (commands) and what those show (display)."""

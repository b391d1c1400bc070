"""Downloads: the task table, one attempt (runner), claims and the global lock, events, HLS, probe
and the engines. The supervisor (nassav/supervisor.py) is their face."""

"""PREVIEW: `sitegen serve`. The rebuild loop (loop.py) builds the site after every batch of
changes the watcher (watch.py) notices, the HTTP server (http.py) serves the output, and
open pages follow each build (live.py, livereload.js)."""

from .loop import Preview, ServeOptions, is_loopback, serve

__all__ = ["Preview", "ServeOptions", "is_loopback", "serve"]

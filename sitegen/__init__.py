"""sitegen: a static-site generator for personal blogs whose comments are first-class."""

__version__ = "0.1.0"

"""Importers: bring posts, pages and reader comments home from Blogger, WordPress and Disqus
exports (`sitegen import`). `run.run_import` is where to start reading."""

FORMATS = ("blogger", "wordpress", "disqus")

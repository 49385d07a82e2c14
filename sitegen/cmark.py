"""cmark-gfm, GitHub's CommonMark engine in C, called so that each conversion frees what it
allocated.

The library is the one the `cmarkgfm` wheel ships; its Python functions never free the
document tree nor the HTML they return (theacodes/cmarkgfm#53): 14 KB lost for each
500-character comment, 1.4 GB over 100,000, which a preview server that rebuilds for hours
cannot afford. This module declares the dozen C functions it needs and pairs every
allocation with its release.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import cffi
from cmarkgfm import _cmark

_FFI = cffi.FFI()
_FFI.cdef("""
typedef struct cmark_mem {
  void *(*calloc)(size_t, size_t);
  void *(*realloc)(void *, size_t);
  void (*free)(void *);
} cmark_mem;
cmark_mem *cmark_get_default_mem_allocator(void);
void cmark_gfm_core_extensions_ensure_registered(void);
void *cmark_find_syntax_extension(const char *name);
void *cmark_parser_new(int options);
int cmark_parser_attach_syntax_extension(void *parser, void *extension);
void cmark_parser_feed(void *parser, const char *buffer, size_t len);
void *cmark_parser_finish(void *parser);
void *cmark_parser_get_syntax_extensions(void *parser);
void cmark_parser_free(void *parser);
char *cmark_render_html(void *root, int options, void *extensions);
void cmark_node_free(void *node);
""")
_LIB = _FFI.dlopen(_cmark.__file__)
# What the parser allocates with, and so what frees the HTML it renders.
_MEM = _LIB.cmark_get_default_mem_allocator()
_LIB.cmark_gfm_core_extensions_ensure_registered()


def to_html(text: str, options: int, extensions: Iterable[str]) -> str:
    """`text` as HTML, read with cmark-gfm's `options` and named syntax `extensions`."""
    data = text.encode("utf-8")
    parser = _LIB.cmark_parser_new(options)
    try:
        for extension in _extensions(tuple(extensions)):
            _LIB.cmark_parser_attach_syntax_extension(parser, extension)
        _LIB.cmark_parser_feed(parser, data, len(data))
        root = _LIB.cmark_parser_finish(parser)
        try:
            html = _LIB.cmark_render_html(root, options,
                                          _LIB.cmark_parser_get_syntax_extensions(parser))
            try:
                return _FFI.string(html).decode("utf-8")
            finally:
                _MEM.free(html)
        finally:
            _LIB.cmark_node_free(root)
    finally:
        _LIB.cmark_parser_free(parser)


@functools.cache
def _extensions(names: tuple[str, ...]) -> tuple:
    found = tuple(_LIB.cmark_find_syntax_extension(name.encode()) for name in names)
    if _FFI.NULL in found:
        raise ValueError(f"cmark-gfm has no extension among {names}")
    return found

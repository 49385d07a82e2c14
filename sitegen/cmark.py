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
from typing import NamedTuple

import cffi
from cmarkgfm import _cmark

_DECLARATIONS = """
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
"""


class _Library(NamedTuple):
    ffi: cffi.FFI
    lib: object
    mem: object  # what the parser allocates with, and so what frees the HTML it renders


@functools.cache
def _library() -> _Library:
    """The C functions, declared when first needed: reading the declarations takes cffi's C
    parser 14 ms, which every command would pay at start-up, most of them for nothing."""
    ffi = cffi.FFI()
    ffi.cdef(_DECLARATIONS)
    lib = ffi.dlopen(_cmark.__file__)
    lib.cmark_gfm_core_extensions_ensure_registered()
    return _Library(ffi, lib, lib.cmark_get_default_mem_allocator())


def to_html(text: str, options: int, extensions: Iterable[str]) -> str:
    """`text` as HTML, read with cmark-gfm's `options` and named syntax `extensions`."""
    ffi, lib, mem = _library()
    data = text.encode("utf-8")
    parser = lib.cmark_parser_new(options)
    try:
        for extension in _extensions(tuple(extensions)):
            lib.cmark_parser_attach_syntax_extension(parser, extension)
        lib.cmark_parser_feed(parser, data, len(data))
        root = lib.cmark_parser_finish(parser)
        try:
            html = lib.cmark_render_html(root, options,
                                         lib.cmark_parser_get_syntax_extensions(parser))
            try:
                return ffi.string(html).decode("utf-8")
            finally:
                mem.free(html)
        finally:
            lib.cmark_node_free(root)
    finally:
        lib.cmark_parser_free(parser)


@functools.cache
def _extensions(names: tuple[str, ...]) -> tuple:
    ffi, lib, _ = _library()
    found = tuple(lib.cmark_find_syntax_extension(name.encode()) for name in names)
    if ffi.NULL in found:
        raise ValueError(f"cmark-gfm has no extension among {names}")
    return found

"""cmark-gfm, GitHub's CommonMark engine in C, called so that each conversion frees what it
allocated.

The library is the one the `cmarkgfm` wheel ships; its Python functions never free the
document tree nor the HTML they return (theacodes/cmarkgfm#53): 14 KB lost for each
500-character comment, 1.4 GB over 100,000, which a preview server that rebuilds for hours
cannot afford. This module calls the dozen C functions it needs through ctypes and pairs
every allocation with its release. Not through cffi, as the wheel does: its compiled module
lacks the two functions that free, and declaring them to cffi at run time imports cffi's C
parser, 26-32 ms in every process that converts Markdown (each load worker of a build).
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Iterable
from ctypes import CFUNCTYPE, POINTER, Structure, c_char_p, c_int, c_size_t, c_void_p
from typing import NamedTuple

from cmarkgfm import _cmark


class _Memory(Structure):
    """cmark's allocator (cmark_mem): what frees the HTML it renders."""

    _fields_ = [("calloc", c_void_p), ("realloc", c_void_p),
                ("free", CFUNCTYPE(None, c_void_p))]


# Each function: (its result, its arguments). Pointers are c_void_p, never ctypes' default
# int, which would cut a 64-bit address to 32 bits.
_FUNCTIONS = {
    "cmark_get_default_mem_allocator": (POINTER(_Memory), []),
    "cmark_gfm_core_extensions_ensure_registered": (None, []),
    "cmark_find_syntax_extension": (c_void_p, [c_char_p]),
    "cmark_parser_new": (c_void_p, [c_int]),
    "cmark_parser_attach_syntax_extension": (c_int, [c_void_p, c_void_p]),
    "cmark_parser_feed": (None, [c_void_p, c_char_p, c_size_t]),
    "cmark_parser_finish": (c_void_p, [c_void_p]),
    "cmark_parser_get_syntax_extensions": (c_void_p, [c_void_p]),
    "cmark_parser_free": (None, [c_void_p]),
    "cmark_render_html": (c_void_p, [c_void_p, c_int, c_void_p]),
    "cmark_node_free": (None, [c_void_p]),
}


class _Library(NamedTuple):
    lib: ctypes.CDLL
    memory: _Memory  # what the parser allocates with, and so what frees the HTML it renders


@functools.cache
def _library() -> _Library:
    """The C functions, declared when first needed (the library is loaded already, by the
    wheel's own module)."""
    lib = ctypes.CDLL(_cmark.__file__)
    for name, (result, arguments) in _FUNCTIONS.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = result, arguments
    lib.cmark_gfm_core_extensions_ensure_registered()
    return _Library(lib, lib.cmark_get_default_mem_allocator().contents)


def to_html(text: str, options: int, extensions: Iterable[str]) -> str:
    """`text` as HTML, read with cmark-gfm's `options` and named syntax `extensions`."""
    lib, memory = _library()
    data = text.encode("utf-8")
    parser = lib.cmark_parser_new(options)
    if not parser:
        raise MemoryError("cmark-gfm could not make a parser")
    try:
        for extension in _extensions(tuple(extensions)):
            lib.cmark_parser_attach_syntax_extension(parser, extension)
        lib.cmark_parser_feed(parser, data, len(data))
        root = lib.cmark_parser_finish(parser)
        try:
            html = lib.cmark_render_html(root, options,
                                         lib.cmark_parser_get_syntax_extensions(parser))
            try:
                return ctypes.string_at(html).decode("utf-8")
            finally:
                memory.free(html)
        finally:
            lib.cmark_node_free(root)
    finally:
        lib.cmark_parser_free(parser)


@functools.cache
def _extensions(names: tuple[str, ...]) -> tuple[int, ...]:
    lib, _ = _library()
    found = tuple(lib.cmark_find_syntax_extension(name.encode()) for name in names)
    if None in found:
        raise ValueError(f"cmark-gfm has no extension among {names}")
    return found

"""The one way text reaches generated C: string literals and comments.

Every value the C synthesizer (:mod:`firmware.builder.synth`) puts into a generated source that is
not a
number it computed itself goes through :func:`c_string` (inside a string literal) or
:func:`c_comment` (inside a ``/* ... */`` comment). Names are validated when a model is read
(:mod:`golden.identifiers`); these functions are the second fence, so even a name that slipped
past validation cannot end a comment (``*/``), splice a line (backslash-newline, or the C11
trigraph ``??/``), start a directive (``#include`` on a new line) or end a string (``"``).
"""

from __future__ import annotations

#: Characters copied verbatim into a comment; everything else becomes ``_``.
_COMMENT_SAFE = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.,:;=+()<>[]'#"
)
#: Characters copied verbatim into a string literal; everything else is an octal escape.
_STRING_SAFE = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.,:;=+()<>[]{}#'/*!%&|^~@$`"
)
MAX_COMMENT_LEN = 120


def c_string(value: object) -> str:
    """Return ``str(value)`` as a C string literal, including the quotes.

    Letters, digits and harmless punctuation are copied; every other byte of the UTF-8 encoding
    (quotes, backslash, ``?`` which could start a trigraph, control characters, NUL, non-ASCII)
    becomes a three-digit octal escape, which can never absorb the character after it.
    """
    out = []
    for byte in str(value).encode("utf-8", "surrogatepass"):
        char = chr(byte)
        out.append(char if char in _STRING_SAFE else f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def c_comment(value: object) -> str:
    r"""Return ``str(value)`` made safe for the inside of a one-line ``/* ... */`` comment.

    Only letters, digits and a few punctuation characters are kept (no ``*``, ``/``, ``\``,
    ``?``, quotes, newline or other control characters: each becomes ``_``), and the text is cut
    to :data:`MAX_COMMENT_LEN` characters.
    """
    text = "".join(c if c in _COMMENT_SAFE else "_" for c in str(value))
    return text[:MAX_COMMENT_LEN]

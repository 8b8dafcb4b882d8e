"""The one way text reaches a YAML file that ferhil writes (izer's ``network.yaml``).

Keys and values go through ``yaml.safe_dump`` (:func:`yaml_entry`), which quotes anything that
YAML would otherwise read as structure (``: {``, ``- ``, ``#``, newlines); comments go through
:func:`yaml_comment`, which keeps them on one line. A name can therefore never add a key, a
list item or a document to the file, even if it slipped past :mod:`golden.identifiers`.
"""

from __future__ import annotations

import yaml

_COMMENT_SAFE = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.,:;=+()<>[]/*'#"
)
MAX_COMMENT_LEN = 160


def yaml_comment(text: object) -> str:
    """Return ``# text`` on one line, safe inside any YAML document.

    Characters outside a safe set (newlines, control characters, quotes, backslashes,
    non-ASCII) become ``_``; the text is cut to :data:`MAX_COMMENT_LEN` characters.
    """
    body = "".join(c if c in _COMMENT_SAFE else "_" for c in str(text))
    return "# " + body[:MAX_COMMENT_LEN]


def yaml_entry(key: str, value: object, indent: str = "") -> str:
    """Return the one-line YAML mapping entry ``key: value`` written by ``yaml.safe_dump``.

    Args:
        key: the mapping key.
        value: a scalar (string, number, bool or ``None``).
        indent: prefix for the line (spaces or ``"  - "``).

    Raises:
        ValueError: when the dump does not fit on one line (a non-scalar value).
    """
    for style in (None, '"'):  # plain when YAML allows it, else double-quoted with escapes
        text = yaml.safe_dump(
            {key: value},
            default_flow_style=True,
            default_style=style,
            width=1_000_000,
            allow_unicode=False,
        ).strip()
        if text.startswith("{") and text.endswith("}") and "\n" not in text:
            return indent + text[1:-1]
    raise ValueError(f"YAML entry {key!r} does not fit one line")

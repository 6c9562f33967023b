# netrain.font: a 3x5 proportional pixel font stored as column bitmaps in flash-friendly bytes.
# SPDX-License-Identifier: MIT
"""Glyphs are 5 px high and 1..5 px wide, drawn with 1 px between glyphs.

Each glyph is a run of columns in ``GLYPHS``, one byte per column, bit 0 = top row.
``INDEX[slot]`` is where glyph ``slot`` starts and ``INDEX[slot + 1]`` where it ends,
so the width is their difference. Only ``" "`` to ``"`"`` and ``"{"`` to ``"~"`` are
stored: lowercase folds to uppercase and anything else draws the fallback box. Both
tables are module-level bytes literals, which stay in flash when the module is frozen
or compiled to .mpy, so the whole font costs the heap nothing.

Legibility on LEDs beats uniformity: narrow ``1 I . : ! '``, wide ``M W N K Q O``, a
round ``O`` next to a square ``0``, a flat-topped ``5`` against a curved ``S``, and a
notched ``B`` against a closed ``8``. The comment on each glyph spells its rows.
"""

from .compat import const

HEIGHT = const(5)
SPACING = const(1)
FALLBACK = const(69)  # slot of the box drawn for characters the font lacks

GLYPHS = (
    b"\x00\x00"  # space: .. .. .. .. ..
    b"\x17"  # !: # # # . #
    b"\x03\x00\x03"  # double quote: #.# #.# ... ... ...
    b"\x0a\x1f\x0a\x1f\x0a"  # #: .#.#. ##### .#.#. ##### .#.#.
    b"\x12\x1f\x09"  # $: .## ##. .#. .## ##.
    b"\x19\x04\x13"  # %: #.# ..# .#. #.. #.#
    b"\x0a\x15\x0a\x10"  # &: .#.. #.#. .#.. #.#. .#.#
    b"\x03"  # quote: # # . . .
    b"\x0e\x11"  # (: .# #. #. #. .#
    b"\x11\x0e"  # ): #. .# .# .# #.
    b"\x0a\x04\x0a"  # *: ... #.# .#. #.# ...
    b"\x04\x0e\x04"  # +: ... .#. ### .#. ...
    b"\x10\x08"  # ,: .. .. .. .# #.
    b"\x04\x04\x04"  # -: ... ... ### ... ...
    b"\x10"  # .: . . . . #
    b"\x18\x04\x03"  # /: ..# ..# .#. #.. #..
    b"\x1f\x11\x1f"  # 0: ### #.# #.# #.# ###
    b"\x02\x1f"  # 1: .# ## .# .# .#
    b"\x19\x15\x12"  # 2: ##. ..# .#. #.. ###
    b"\x11\x15\x1f"  # 3: ### ..# .## ..# ###
    b"\x07\x04\x1f"  # 4: #.# #.# ### ..# ..#
    b"\x17\x15\x09"  # 5: ### #.. ##. ..# ##.
    b"\x1e\x15\x1d"  # 6: .## #.. ### #.# ###
    b"\x01\x19\x07"  # 7: ### ..# ..# .#. .#.
    b"\x1f\x15\x1f"  # 8: ### #.# ### #.# ###
    b"\x17\x15\x0f"  # 9: ### #.# ### ..# ##.
    b"\x0a"  # :: . # . # .
    b"\x10\x0a"  # ;: .. .# .. .# #.
    b"\x04\x0a\x11"  # <: ..# .#. #.. .#. ..#
    b"\x0a\x0a\x0a"  # =: ... ### ... ### ...
    b"\x11\x0a\x04"  # >: #.. .#. ..# .#. #..
    b"\x01\x15\x02"  # ?: ##. ..# .#. ... .#.
    b"\x0e\x11\x17\x06"  # @: .##. #.## #.## #... .##.
    b"\x1e\x05\x1e"  # A: .#. #.# ### #.# #.#
    b"\x1f\x15\x0a"  # B: ##. #.# ##. #.# ##.
    b"\x0e\x11\x11"  # C: .## #.. #.. #.. .##
    b"\x1f\x11\x0e"  # D: ##. #.# #.# #.# ##.
    b"\x1f\x15\x11"  # E: ### #.. ##. #.. ###
    b"\x1f\x05\x01"  # F: ### #.. ##. #.. #..
    b"\x0e\x11\x1d"  # G: .## #.. #.# #.# .##
    b"\x1f\x04\x1f"  # H: #.# #.# ### #.# #.#
    b"\x1f"  # I: # # # # #
    b"\x08\x10\x0f"  # J: ..# ..# ..# #.# .#.
    b"\x1f\x04\x0a\x11"  # K: #..# #.#. ##.. #.#. #..#
    b"\x1f\x10\x10"  # L: #.. #.. #.. #.. ###
    b"\x1f\x02\x04\x02\x1f"  # M: #...# ##.## #.#.# #...# #...#
    b"\x1f\x02\x04\x1f"  # N: #..# ##.# #.## #..# #..#
    b"\x0e\x11\x11\x0e"  # O: .##. #..# #..# #..# .##.
    b"\x1f\x05\x02"  # P: ##. #.# ##. #.. #..
    b"\x0e\x11\x09\x16"  # Q: .##. #..# #..# #.#. .#.#
    b"\x1f\x05\x1a"  # R: ##. #.# ##. #.# #.#
    b"\x12\x15\x09"  # S: .## #.. .#. ..# ##.
    b"\x01\x1f\x01"  # T: ### .#. .#. .#. .#.
    b"\x1f\x10\x1f"  # U: #.# #.# #.# #.# ###
    b"\x0f\x10\x0f"  # V: #.# #.# #.# #.# .#.
    b"\x1f\x08\x04\x08\x1f"  # W: #...# #...# #.#.# ##.## #...#
    b"\x1b\x04\x1b"  # X: #.# #.# .#. #.# #.#
    b"\x03\x1c\x03"  # Y: #.# #.# .#. .#. .#.
    b"\x19\x15\x13"  # Z: ### ..# .#. #.. ###
    b"\x1f\x11"  # [: ## #. #. #. ##
    b"\x03\x04\x18"  # backslash: #.. #.. .#. ..# ..#
    b"\x11\x1f"  # ]: ## .# .# .# ##
    b"\x02\x01\x02"  # ^: .#. #.# ... ... ...
    b"\x10\x10\x10"  # _: ... ... ... ... ###
    b"\x01\x02"  # `: #. .# .. .. ..
    b"\x04\x1f\x11"  # {: .## .#. ##. .#. .##
    b"\x1b"  # |: # # . # #
    b"\x11\x1f\x04"  # }: ##. .#. .## .#. ##.
    b"\x04\x02\x04\x02"  # ~: .... .#.# #.#. .... ....
    b"\x1f\x11\x11\x1f"  # fallback: #### #..# #..# #..# ####
)
INDEX = (
    b"\x00\x02\x03\x06\x0b\x0e\x11\x15\x16\x18\x1a\x1d\x20\x22\x25\x26"
    b"\x29\x2c\x2e\x31\x34\x37\x3a\x3d\x40\x43\x46\x47\x49\x4c\x4f\x52"
    b"\x55\x59\x5c\x5f\x62\x65\x68\x6b\x6e\x71\x72\x75\x79\x7c\x81\x85"
    b"\x89\x8c\x90\x93\x96\x99\x9c\x9f\xa4\xa7\xaa\xad\xaf\xb2\xb4\xb7"
    b"\xba\xbc\xbf\xc0\xc3\xc7\xcb"
)


def glyph_index(code):
    """Slot in ``INDEX`` for a character code (an int, e.g. ``ord(ch)``)."""
    if 97 <= code <= 122:  # a-z share the uppercase glyphs
        code -= 32
    if 32 <= code <= 96:
        return code - 32
    if 123 <= code <= 126:  # { | } ~ are stored right after "`"
        return code - 58
    return FALLBACK


def char_width(ch):
    """Width in px of one character (a 1-char str or an int code), spacing excluded."""
    slot = glyph_index(ch if isinstance(ch, int) else ord(ch))
    return INDEX[slot + 1] - INDEX[slot]


def text_width(text):
    """Width in px of ``text`` (str or bytes) drawn with ``SPACING`` between glyphs."""
    index = INDEX
    width = 0
    for ch in text:
        slot = glyph_index(ch if isinstance(ch, int) else ord(ch))
        width += index[slot + 1] - index[slot] + SPACING
    return width - SPACING if width else 0


def glyph_columns(ch):
    """The column bytes of one character's glyph (allocates: for tools and tests)."""
    slot = glyph_index(ch if isinstance(ch, int) else ord(ch))
    return GLYPHS[INDEX[slot] : INDEX[slot + 1]]

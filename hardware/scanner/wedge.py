"""KeyboardWedgeDecoder: Linux input key events from a HID scanner -> the scanned text.

Pure state machine fed with (type, code, value) tuples as read from an evdev node. Key
codes are those of linux/input-event-codes.h; the keymap is the US layout the scanners
default to (set the scanner to "US keyboard", not a national layout).

A keyboard wedge can only type what is on the keys: Chinese text cannot come through it
(the "Alt + keypad" and Unicode-input tricks some scanners offer depend on the desktop's
input method and are not supported). Use a USB-CDC (serial) scanner for Chinese payloads.
"""

from __future__ import annotations

from hardware.scanner.filter import CodeRejected

EV_KEY = 1
KEY_UP, KEY_DOWN, KEY_REPEAT = 0, 1, 2
KEY_ENTER, KEY_KPENTER = 28, 96
KEY_LEFTSHIFT, KEY_RIGHTSHIFT = 42, 54
SHIFTS = frozenset({KEY_LEFTSHIFT, KEY_RIGHTSHIFT})
ENTERS = frozenset({KEY_ENTER, KEY_KPENTER})
# Ctrl, Alt, Meta, CapsLock, NumLock, ScrollLock: pressed alone they type nothing. Caps
# Lock is not applied: the kernel reports keys, the lock state lives in the desktop.
MODIFIERS = frozenset({29, 97, 56, 100, 125, 126, 58, 69, 70})
CTRL_ALT_META = frozenset({29, 97, 56, 100, 125, 126})


def _row(first_code: int, plain: str, shifted: str) -> dict[int, tuple[str, str]]:
    return {first_code + i: (p, s) for i, (p, s) in enumerate(zip(plain, shifted))}


# keycode -> (unshifted, shifted)
KEYMAP: dict[int, tuple[str, str]] = {
    **_row(2, "1234567890-=", "!@#$%^&*()_+"),        # KEY_1 (2) .. KEY_EQUAL (13)
    15: ("\t", "\t"),                                   # KEY_TAB
    **_row(16, "qwertyuiop[]", "QWERTYUIOP{}"),         # KEY_Q (16) .. KEY_RIGHTBRACE (27)
    **_row(30, "asdfghjkl;'`", "ASDFGHJKL:\"~"),        # KEY_A (30) .. KEY_GRAVE (41)
    43: ("\\", "|"),                                    # KEY_BACKSLASH
    **_row(44, "zxcvbnm,./", "ZXCVBNM<>?"),             # KEY_Z (44) .. KEY_SLASH (53)
    55: ("*", "*"),                                     # KEY_KPASTERISK
    57: (" ", " "),                                     # KEY_SPACE
    **_row(71, "789-456+1230.", "789-456+1230."),       # KEY_KP7 (71) .. KEY_KPDOT (83)
    98: ("/", "/"),                                     # KEY_KPSLASH
    117: ("=", "="),                                    # KEY_KPEQUAL
    121: (",", ","),                                    # KEY_KPCOMMA
}


class KeyboardWedgeDecoder:
    """Turns key-down events into characters; a code ends at Enter / keypad Enter.

    `feed` returns the finished code (possibly "", for the ScanFilter to refuse) at Enter,
    else None. Key-up and autorepeat events type nothing; shift state follows the shift
    keys' down/up events. Non-key events (EV_SYN, EV_MSC scan codes, LEDs) are ignored.

    Raises CodeRejected at Enter with reason "unmapped_key" when a key outside the keymap
    (or a Ctrl/Alt/Meta combination) was typed in the code, or "too_long" when it held
    more than ``max_length`` characters; memory stays bounded by ``max_length``.
    """

    def __init__(self, max_length: int = 1024) -> None:
        self.max_length = max_length
        self._chars: list[str] = []
        self._typed = 0  # characters typed in this code, including those not kept
        self._unmapped = 0
        self._shift: set[int] = set()
        self._held: set[int] = set()  # Ctrl / Alt / Meta keys down now

    def feed(self, type_: int, code: int, value: int) -> str | None:
        if type_ != EV_KEY:
            return None
        if code in SHIFTS:
            if value == KEY_DOWN:
                self._shift.add(code)
            elif value == KEY_UP:
                self._shift.discard(code)
            return None
        if code in CTRL_ALT_META:
            if value == KEY_DOWN:
                self._held.add(code)
            elif value == KEY_UP:
                self._held.discard(code)
            return None
        if value != KEY_DOWN or code in MODIFIERS:
            return None
        if code in ENTERS:
            return self._finish()
        keys = KEYMAP.get(code)
        if keys is None or self._held:
            self._unmapped += 1
            return None
        self._typed += 1
        if len(self._chars) < self.max_length:
            self._chars.append(keys[1] if self._shift else keys[0])
        return None

    def reset(self) -> None:
        """Drop a half-typed code and the modifier state (after a reconnect)."""
        self._chars.clear()
        self._typed = self._unmapped = 0
        self._shift.clear()
        self._held.clear()

    def _finish(self) -> str:
        text, typed, unmapped = "".join(self._chars), self._typed, self._unmapped
        self._chars.clear()
        self._typed = self._unmapped = 0
        if unmapped:
            raise CodeRejected("unmapped_key", typed + unmapped,
                               f"{unmapped} key(s) outside the US keymap")
        if typed > self.max_length:
            raise CodeRejected("too_long", typed, f"limit {self.max_length}")
        return text

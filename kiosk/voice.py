"""Voice guidance: what the loudspeaker says, and when. Plain Python, no window.

The speaker itself is a device of the hardware layer (hardware/speaker/); this decides:

- *what*: each screen's text (`speech_for(view)`: an error or notice first, then the flow's
  own `View.speak`, else title and instruction). Private data never goes out loud
  (EN 301 549 5.1.3.8/5.1.3.9): a sentence with a masked value (``张*国``), an ID number or
  a mobile number is dropped before it reaches the speaker, and the drop is logged.
- *when*: a screen is read when its text changes (`show`), not on every redraw; the
  person acting (a touch) stops the speech at once (5.1.3.5); "repeat" reads it again and
  "stop" silences it and turns guidance off for the rest of the session (5.1.3.4).
- *whether*: on by default in 长者模式 (and everywhere when the terminal is configured so),
  on request elsewhere; the resident's choice lasts until the session ends. Speech is in
  the display's language (5.1.3.14): a language switch re-reads the screen in it.
- *how loud*: `louder` / `quieter` in steps; the session end puts the speaker back to its
  configured volume (5.1.3.13) and forgets the choice.

Nothing here blocks: `Speaker.say` only queues. A speaker that refuses (missing, failed,
closed) costs the resident nothing but the sound; the refusal goes to the technician log
once per kind of failure, not once per screen.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from common.errors import KioskError

log = logging.getLogger(__name__)

VOLUME_STEP = 10
MAX_SPEECH = 1000  # the speaker's limit per utterance (hardware/speaker/interface.py)

# Private data that must never be spoken: masked values (the kiosk masks names, ID and
# phone numbers with "*"), whole ID numbers and mobile numbers.
_PRIVATE = re.compile(r"\*|\d{17}[\dXx]|(?<!\d)1[3-9]\d{9}(?!\d)")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s")


def without_private(text: str) -> tuple[str, int]:
    """``text`` with every sentence that holds private data left out, and how many were."""
    kept, dropped = [], 0
    for sentence in _SENTENCE_END.split(text):
        if not sentence or not sentence.strip():
            continue
        if _PRIVATE.search(sentence):
            dropped += 1
        else:
            kept.append(sentence.strip())
    joined = "".join(s if s[-1] in "。！？；，" else s + " " for s in kept).strip()
    return joined, dropped


def _sentence(text: str) -> str:
    text = text.strip()
    if text and text[-1] not in "。！？!?.；;：:":
        text += "。" if re.search(r"[\u4e00-\u9fff]", text) else "."
    return text


def speech_for(view: Any) -> str:
    """What a flow's `View` sounds like: the notice (errors are spoken), then the flow's own
    speech or else the title and instruction. Busy views read their "please wait"."""
    parts: list[str] = []
    notice = getattr(view, "notice", None)
    speak = getattr(view, "speak", "") or ""
    if notice is not None and notice.text and notice.text not in speak:
        parts.append(notice.text)
    if speak:
        parts.append(speak)
    else:
        parts += [view.title, view.instruction]
    return " ".join(_sentence(p) for p in parts if p and p.strip())


class VoiceGuide:
    """Reads screens aloud through the first usable speaker.

    ``speaker`` returns the speaker device or None (none configured or none usable).
    ``elderly`` tells whether the session is in 长者模式 now. Call from one thread (the UI
    thread in the app); listeners are told after every change of `enabled` or volume.
    """

    def __init__(self, speaker: Callable[[], Any | None], elderly: Callable[[], bool], *,
                 in_elderly_mode: bool = True, by_default: bool = False,
                 language: Callable[[], str] = lambda: "zh_CN") -> None:
        self._speaker = speaker
        self._elderly = elderly
        self._language = language  # the display's language (zh_CN, en): speech follows it
        self._in_elderly_mode = in_elderly_mode
        self._by_default = by_default
        self._choice: bool | None = None  # the resident's choice in this session
        self._text = ""                  # what the screen says now (already filtered)
        self._failures: set[str] = set()  # kinds of refusal already logged
        self._listeners: list[Callable[[], None]] = []

    # -- state ---------------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        if self._choice is not None:
            return self._choice
        return self._by_default or (self._in_elderly_mode and self._elderly())

    @property
    def available(self) -> bool:
        """A speaker is there to speak through (the buttons show only then)."""
        return self._speaker() is not None

    @property
    def volume(self) -> int | None:
        speaker = self._speaker()
        return None if speaker is None else speaker.volume

    @property
    def current_text(self) -> str:
        return self._text

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # -- what the screen says ------------------------------------------------------------
    def show(self, text: str, *, where: str = "", again: bool = False,
             quiet: bool = False) -> None:
        """The screen now says ``text``: read it if guidance is on and it is new.

        The same text again (a redraw) is read only with ``again`` (the flow answered the
        person anew, e.g. the same error twice); ``quiet`` only notes the text (back from
        the idle warning: the person has heard the screen). Private sentences are left out.
        """
        spoken, dropped = without_private(text)
        if dropped:
            log.warning("voice: %d sentence(s) with private data not spoken on %s",
                        dropped, where or "a screen")
        spoken = spoken[:MAX_SPEECH]
        if spoken == self._text and not again:
            return
        self._text = spoken
        if self.enabled and spoken and not quiet:
            self._say(spoken)

    def acted(self) -> None:
        """The person touched the screen: stop talking now (the next screen speaks anew)."""
        speaker = self._speaker()
        if speaker is not None:
            speaker.stop()

    # -- the resident's buttons ----------------------------------------------------------
    def repeat(self) -> None:
        """Read the screen again; turns guidance on for the session if it was off."""
        self._choose(True)
        if self._text:
            self._say(self._text)

    def stop(self) -> None:
        """Silence now and keep quiet for the rest of the session (until "read aloud")."""
        self.acted()
        self._choose(False)

    def louder(self) -> int | None:
        return self._step(VOLUME_STEP)

    def quieter(self) -> int | None:
        return self._step(-VOLUME_STEP)

    def mode_changed(self) -> None:
        """长者模式 was switched: guidance may have turned on (or off) with it."""
        if self._choice is None:
            if self.enabled and self._text:
                self._say(self._text)
            elif not self.enabled:
                self.acted()
        self._tell()

    def session_ended(self) -> None:
        """Silence, configured volume back, the resident's choice and the text forgotten."""
        speaker = self._speaker()
        if speaker is not None:
            speaker.stop()
            speaker.reset_volume()
        self._choice = None
        self._text = ""
        self._tell()

    # -- internals -----------------------------------------------------------------------
    def _choose(self, on: bool) -> None:
        if self._choice != on:
            self._choice = on
            log.info("voice guidance turned %s by the resident", "on" if on else "off")
        self._tell()

    def _step(self, delta: int) -> int | None:
        speaker = self._speaker()
        if speaker is None:
            return None
        volume = max(0, min(100, speaker.volume + delta))
        speaker.set_volume(volume)
        log.info("voice volume set to %d", volume)
        if self._text:
            self._choose(True)
            self._say(self._text)  # hear the new volume at once
        self._tell()
        return volume

    def _say(self, text: str) -> None:
        speaker = self._speaker()
        if speaker is None:
            self._refused("no usable speaker", None)
            return
        language = "en" if self._language().startswith("en") else "zh"
        try:
            speaker.say(text, language=language)
        except (ValueError, KioskError) as exc:
            self._refused(type(exc).__name__, exc)

    def _refused(self, kind: str, exc: Exception | None) -> None:
        if kind not in self._failures:  # once per kind: a dead speaker must not flood the log
            self._failures.add(kind)
            log.warning("voice guidance could not speak: %s%s", kind,
                      f" ({exc})" if exc is not None else "")

    def _tell(self) -> None:
        for listener in list(self._listeners):
            listener()

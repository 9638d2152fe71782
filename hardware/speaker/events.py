"""The speaker's events and values: an utterance, how it ended, the volume check."""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field


class Outcome(str, enum.Enum):
    """How an utterance ended."""

    FINISHED = "finished"  # said to the end
    INTERRUPTED = "interrupted"  # cut off by stop(), a new say() or close()
    CANCELLED = "cancelled"  # dropped while waiting; never started
    FAILED = "failed"  # the synthesiser or the sound device failed


@dataclass(frozen=True)
class Utterance:
    """One text to say. ``volume`` is the speaker's volume when it starts."""

    id: int
    text: str
    volume: int
    language: str = "zh"   # "zh" (Mandarin) or "en": the display's language


@dataclass(frozen=True)
class SpeechStarted:
    device: str
    utterance_id: int
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class SpeechEnded:
    device: str
    utterance_id: int
    outcome: Outcome
    at: float = field(default_factory=time.time)


def check_volume(volume: object) -> int:
    """``volume`` if it is an integer 0..100; ValueError otherwise."""
    if isinstance(volume, bool) or not isinstance(volume, int) or not 0 <= volume <= 100:
        raise ValueError(f"volume must be an integer from 0 to 100, got {volume!r}")
    return volume

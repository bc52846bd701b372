"""A recording as the recogniser wants it: 16 kHz mono samples, read from what Telegram sends.

A voice message is OGG/Opus; an audio file may be MP3, FLAC, WAV or OGG/Vorbis too. All are read
in memory by libsndfile (soundfile's wheel bundles it, with Opus and MP3): nothing is written
to disk and no program is run. The length is read from the file's header and checked before
any sample is decoded, so a long recording costs nothing.
"""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
import soundfile
import soxr

from speech.spec import AudioError, TooLong, Undecodable

__all__ = [
    "SAMPLE_RATE",
    "AudioError",
    "TooLong",
    "Undecodable",
    "decode",
    "duration_of",
    "has_sound",
    "to_pcm16",
]

SAMPLE_RATE = 16_000

Samples = npt.NDArray[np.float32]


def _info(data: bytes) -> soundfile._SoundFileInfo:
    try:
        return soundfile.info(io.BytesIO(data))
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise Undecodable(type(exc).__name__) from None


def duration_of(data: bytes) -> float:
    """Seconds of audio, from the header alone."""
    info = _info(data)
    if info.samplerate <= 0:
        raise Undecodable("no sample rate")
    return float(info.frames) / float(info.samplerate)


def decode(data: bytes, *, max_seconds: float) -> Samples:
    """The recording as 16 kHz mono float samples in [-1, 1]; TooLong past `max_seconds`."""
    seconds = duration_of(data)
    if seconds > max_seconds:
        raise TooLong(seconds, max_seconds)
    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise Undecodable(type(exc).__name__) from None
    if samples.shape[0] / rate > max_seconds:  # a header that understated the length
        raise TooLong(samples.shape[0] / rate, max_seconds)
    mono: Samples = samples.mean(axis=1, dtype=np.float32)
    if rate != SAMPLE_RATE:
        mono = soxr.resample(mono, rate, SAMPLE_RATE).astype(np.float32, copy=False)
    return mono


# A recording none of whose 20 ms frames is louder than this (RMS, -40 dB below full scale)
# holds no speech: a recogniser given silence still "hears" a word or two.
SPEECH_FLOOR = 0.01


def has_sound(samples: Samples) -> bool:
    frame = SAMPLE_RATE // 50
    usable = len(samples) - len(samples) % frame
    if usable == 0:
        return False
    frames = samples[:usable].reshape(-1, frame)
    loudest = float(np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)).max())
    return loudest > SPEECH_FLOOR


def to_pcm16(samples: Samples) -> bytes:
    """Signed 16-bit little-endian PCM, as PocketSphinx reads it."""
    clipped = np.clip(samples, -1.0, 1.0) * 32767.0
    return clipped.astype("<i2").tobytes()

"""The engines that turn 16 kHz samples into words, chosen by configuration (TRANSCRIBER).

- ``pocketsphinx`` (the default): CMU PocketSphinx, offline, its English acoustic model and
  dictionary inside the PyPI wheel. How it is told what a note says is the `adaptation`:
  ``lm`` (the default) a trigram model of the vocabulary and a few hundred synthetic notes
  with the therapist's client names, over a dictionary of those words alone (a word the
  wheel's dictionary lacks pronounced by speech/pronounce.py); ``jsgf`` a
  grammar of the vocabulary's phrases; ``keywords`` keyword spotting; ``plain`` the wheel's
  general English model (bench/dictation.py measures each).
- ``whisper``: faster-whisper, when the operator has installed it (``pip install
  aftercare[whisper]``) and a CTranslate2 Whisper model in WHISPER_MODEL_DIR; the vocabulary
  and the names go in as its initial prompt.

An engine is built once per worker process and kind (`engine_for`, cached): PocketSphinx takes
about half a second to load, a language model for a new list of names a little more.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from speech.audio import SAMPLE_RATE, Samples, to_pcm16
from speech.pronounce import letter_to_sound
from speech.spec import ADAPTATIONS, ENGINES, EngineSpec, EngineUnavailable
from speech.vocabulary import (
    Vocabulary,
    arpa_language_model,
    jsgf_grammar,
    keyword_list,
    spoken_words,
    synthetic_notes,
    vocabulary,
)

__all__ = [
    "ADAPTATIONS",
    "ENGINES",
    "Engine",
    "EngineSpec",
    "EngineUnavailable",
    "engine_for",
]

# How many synthetic notes the language model learns from, besides every phrase once.
SYNTHETIC_NOTES = 400
# How far the language model outweighs the sound (PocketSphinx's default is 6.5). On the
# spoken set (bench/dictation.py) 9 gave a WER of 0.23 against 0.25 at 6.5 and 0.27 at 15,
# with the language model's discount at 0.3 (0.5: 0.24; 0.8: 0.26).
LANGUAGE_WEIGHT = 9.0
PADDING_SECONDS = 0.3
DISCOUNT = 0.3
# Dither: one step of 16-bit noise added to a quarter of the samples (as PocketSphinx's own
# dither does), the same noise for every recording (DITHER_SEED). Digital silence (the padding
# above, a synthesised voice's pauses, a phone's noise gate) has a log energy of minus
# infinity, which throws the silence estimates off. PocketSphinx's own dither draws from one
# generator for the decoder's life, and its noise removal (on in the wheel's model) keeps its
# noise estimate from one recording to the next: with either, a recording's words depended on
# the recordings before it. So the dither is ours, and noise removal is off (REMOVE_NOISE).
# On the spoken set (tuning // held out) the WER went from 0.222 // 0.280 to 0.173 // 0.205,
# pressure from 78 // 75 % to 81 // 94 %, pain after from 75 // 88 % to 91 // 88 %; the names
# from 47 // 75 % to 59 // 75 % (without the dither, noise removal off alone: WER 0.229 //
# 0.261).
DITHER_SEED = 1
DITHER_SHARE = 0.25
REMOVE_NOISE = False
# Client names are also given as other accents say them (`accents`): on the spoken set the
# names heard right went from 59 // 75 % to 66 // 81 % (tuning // held out), the WER from
# 0.173 // 0.205 to 0.164 // 0.201. Tried and left out: a second pass over the note's opening
# (up to its first treatment word) with a grammar of the client names alone: 56 // 81 %, the
# wrong name as often as the right one where the first pass had missed it.
ACCENT_VARIANTS = True
# Every word of the note, not only the names, also as other accents say it: the non-rhotic
# "firm" ("F AH M") and "shoulders" were heard as "the" and "elbows". On the spoken set
# (tuning // held out) the WER went from 0.156 // 0.198 to 0.151 // 0.168, pressure from
# 84 // 88 % to 94 // 94 %, areas from 72 // 44 % to 78 // 62 %, pain after 91 // 88 % to
# 88 // 100 % (bench/dictation.py, lm-names against lm, same run).
ACCENT_ALL_WORDS = True


class Engine(Protocol):
    def transcribe(self, samples: Samples) -> str: ...


@cache
def _pronouncing_dictionary() -> dict[str, list[str]]:
    """The wheel's CMU dictionary: word → its pronunciations (alternates as "word(2)")."""
    import pocketsphinx

    path = Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
    entries: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word, _, phones = line.strip().partition(" ")
            if phones:
                entries.setdefault(word.split("(", 1)[0], []).append(phones.strip())
    return entries


def _dictionary_text(
    words: Iterable[str], vocab: Vocabulary, names: Iterable[str] = ()
) -> tuple[str, set[str]]:
    """A dictionary of `words` alone, and the words it has no pronunciation for.

    A word the wheel's dictionary lacks takes speech/vocabulary.toml's pronunciation, or else
    speech.pronounce's letter-to-sound rules (a name's words are never spelled out)."""
    known = _pronouncing_dictionary()
    name_words = {word for name in names for word in spoken_words(name)}
    rows: list[str] = []
    missing: set[str] = set()
    for word in sorted(set(words)):
        phones = known.get(word) or (list(vocab.pronunciations.get(word, ())))
        if not phones and (guess := letter_to_sound(word, name=word in name_words)):
            phones = [guess]
        if not phones:
            missing.add(word)
        if ACCENT_VARIANTS and (word in name_words or ACCENT_ALL_WORDS):
            phones = list(dict.fromkeys([*phones, *(v for p in phones for v in accents(p))]))
        for i, pronunciation in enumerate(phones):
            rows.append(f"{word if i == 0 else f'{word}({i + 1})'} {pronunciation}")
    return "\n".join(rows) + "\n", missing


_VOWEL_PHONES = frozenset(
    ("AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW")
)


def accents(phones: str) -> list[str]:
    """A name as other accents say it, beside the dictionary's American: the r said as a
    separate sound ("M ER IY AH" → "M AH R IY AH", Maria), and non-rhotic, as in most of
    England (an r before a vowel said, any other unsaid: "K AA R T ER" → "K AA T AH", Carter)."""
    said = phones.split()
    split: list[str] = []
    for phone in said:
        split += ["AH", "R"] if phone == "ER" else [phone]
    non_rhotic: list[str] = []
    for i, phone in enumerate(said):
        following = said[i + 1] if i + 1 < len(said) else None
        if phone == "ER":
            non_rhotic += ["AH", "R"] if following in _VOWEL_PHONES else ["AH"]
        elif phone == "R" and (following is None or following not in _VOWEL_PHONES) and i > 0:
            continue
        else:
            non_rhotic.append(phone)
    variants = dict.fromkeys((" ".join(split), " ".join(non_rhotic)))
    return [v for v in variants if v != phones]


class PocketSphinx:
    def __init__(self, spec: EngineSpec) -> None:
        from pocketsphinx import Decoder

        self.spec = spec
        self.unknown_words: set[str] = set()
        if spec.adaptation == "plain":
            self._decoder = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")
            self._cmn_start = str(self._decoder.get_cmn(False))
            return
        vocab = vocabulary()
        names = [" ".join(spoken_words(name)) for name in spec.names]
        names = [name for name in names if name]
        notes = synthetic_notes(vocab, names, SYNTHETIC_NOTES, seed=13)
        words = vocab.words(names)
        dictionary, self.unknown_words = _dictionary_text(words, vocab, names)
        # The decoder reads its files by path: a folder of the process's own, gone once read.
        with tempfile.TemporaryDirectory(prefix="aftercare-speech-") as folder:
            dict_path = Path(folder, "note.dict")
            dict_path.write_text(dictionary, encoding="utf-8")
            options: dict[str, str | int | float] = {
                "samprate": SAMPLE_RATE,
                "loglevel": "FATAL",
                "dict": str(dict_path),
            }
            if spec.adaptation == "lm":
                options["lw"] = LANGUAGE_WEIGHT
                corpus = [*notes, *vocab.phrases(), *names]
                model = arpa_language_model(
                    discount=DISCOUNT,
                    sentences=[
                        " ".join(w for w in spoken_words(s) if w not in self.unknown_words)
                        for s in corpus
                    ],
                )
                Path(folder, "note.lm").write_text(model, encoding="utf-8")
                options["lm"] = str(Path(folder, "note.lm"))
            elif spec.adaptation == "jsgf":
                known = [n for n in names if not set(n.split()) & self.unknown_words]
                grammar = jsgf_grammar(_known_only(vocab, self.unknown_words), known)
                Path(folder, "note.gram").write_text(grammar, encoding="utf-8")
                options["jsgf"] = str(Path(folder, "note.gram"))
            else:
                known = [n for n in names if not set(n.split()) & self.unknown_words]
                keywords = keyword_list(_known_only(vocab, self.unknown_words), known)
                Path(folder, "note.kws").write_text(keywords, encoding="utf-8")
                options["kws"] = str(Path(folder, "note.kws"))
            if not REMOVE_NOISE:
                options["hmm"] = _acoustic_model(Path(folder, "hmm"))
            self._decoder = Decoder(**options)
        # Where the live noise estimate starts: each recording starts from it again, so one
        # recording's words never depend on the one before it (see transcribe).
        self._cmn_start = str(self._decoder.get_cmn(False))

    def transcribe(self, samples: Samples) -> str:
        decoder = self._decoder
        # A recording that starts on its first word loses it (the decoder's noise estimate
        # settles first): a little silence either side heard 20 of the spoken set's 32 client
        # names instead of 18, and the word error rate went from 0.231 to 0.224.
        padding = np.zeros(int(SAMPLE_RATE * PADDING_SECONDS), dtype=np.float32)
        raw = _dithered(to_pcm16(np.concatenate([padding, samples, padding])))
        # Each recording from the same starting noise estimate. Fed in chunks (live), the estimate
        # carries over from one recording to the next: on the spoken set in one process that
        # looked like a gain (WER 0.17 against 0.24), but it was the set's earlier notes tuning
        # the later ones; reset per recording, chunks did worse (0.245) than the whole
        # utterance at once (0.222), and a result must not depend on who spoke before.
        decoder.set_cmn(self._cmn_start)
        decoder.start_utt()
        decoder.process_raw(raw, full_utt=True)
        decoder.end_utt()
        if self.spec.adaptation == "keywords":
            spotted = sorted(decoder.seg(), key=lambda segment: segment.start_frame)
            return " ".join(segment.word for segment in spotted)
        hypothesis = decoder.hyp()
        return "" if hypothesis is None else str(hypothesis.hypstr)


def _acoustic_model(folder: Path) -> str:
    """The wheel's English acoustic model in `folder` (its files linked, not copied), with its
    feat.params less noise removal: the model's own parameters override the decoder's."""
    import pocketsphinx

    model = Path(pocketsphinx.get_model_path()) / "en-us" / "en-us"
    folder.mkdir()
    for item in model.iterdir():
        if item.name != "feat.params":
            Path(folder, item.name).symlink_to(item)
    params = (model / "feat.params").read_text(encoding="utf-8").splitlines()
    kept = [line for line in params if not line.startswith("-remove_noise")]
    Path(folder, "feat.params").write_text("\n".join([*kept, "-remove_noise no", ""]), "utf-8")
    return str(folder)


def _dithered(raw: bytes) -> bytes:
    """16-bit PCM with one step of noise added to DITHER_SHARE of its samples, the same each
    time (DITHER_SEED)."""
    pcm = np.frombuffer(raw, dtype="<i2").astype(np.int32)
    rng = np.random.default_rng(DITHER_SEED)
    pcm += rng.random(pcm.shape[0]) < DITHER_SHARE
    return np.clip(pcm, -32768, 32767).astype("<i2").tobytes()


def _known_only(vocab: Vocabulary, unknown: set[str]) -> Vocabulary:
    """The vocabulary less the phrases with a word the dictionary cannot say."""
    from dataclasses import replace

    def keep(group: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(p for p in group if not set(spoken_words(p)) & unknown)

    return replace(
        vocab,
        areas=keep(vocab.areas),
        techniques=keep(vocab.techniques),
        pressures=keep(vocab.pressures),
        cues=keep(vocab.cues),
        numbers=keep(vocab.numbers),
        complaints=keep(vocab.complaints),
        findings=keep(vocab.findings),
        responses=keep(vocab.responses),
        plans=keep(vocab.plans),
    )


class Whisper:
    def __init__(self, spec: EngineSpec) -> None:
        model_dir = spec.model_dir or os.environ.get("WHISPER_MODEL_DIR", "")
        if not model_dir or not Path(model_dir, "model.bin").is_file():
            raise EngineUnavailable("WHISPER_MODEL_DIR holds no CTranslate2 Whisper model")
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise EngineUnavailable("faster-whisper is not installed") from None
        self._model = WhisperModel(model_dir, device="cpu", compute_type="int8")
        vocab = vocabulary()
        # Whisper is steered by a prompt: the client names and the note's own words.
        self._prompt = ", ".join([*spec.names, *vocab.areas, *vocab.techniques, *vocab.pressures])

    def transcribe(self, samples: Samples) -> str:
        segments, _ = self._model.transcribe(
            samples, language="en", initial_prompt=self._prompt, vad_filter=False
        )
        return " ".join(str(segment.text).strip() for segment in segments).strip()


@lru_cache(maxsize=4)
def engine_for(spec: EngineSpec) -> Engine:
    """The engine for `spec`, built on first use in this process and kept (four kinds at most:
    a practice's therapists, each with their own names)."""
    if spec.engine == "whisper":
        return Whisper(spec)
    return PocketSphinx(spec)

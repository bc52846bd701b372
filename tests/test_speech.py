"""speech/ on its own: reading recordings, the vocabulary's models, the engines, the pool."""

from __future__ import annotations

import asyncio
import io
import os

import jiwer
import numpy as np
import pytest
import soundfile

import speech
from speech import audio, pool
from speech.engines import EngineSpec, accents, engine_for
from speech.vocabulary import (
    arpa_language_model,
    jsgf_grammar,
    keyword_list,
    spoken_words,
    synthetic_notes,
    vocabulary,
)
from tests.speech_corpus import CLIENTS, DICTATIONS, ESPEAK, spoken, voice_of

needs_espeak = pytest.mark.skipif(
    ESPEAK is None and not os.environ.get("CI"),
    reason="espeak-ng is not installed: bash scripts/speech-deps.sh (CI installs it)",
)


def _ogg(seconds: float, rate: int = 48_000) -> bytes:
    tone = 0.1 * np.sin(np.linspace(0, 440 * 2 * np.pi * seconds, int(rate * seconds)))
    out = io.BytesIO()
    soundfile.write(out, tone.astype(np.float32), rate, format="OGG", subtype="OPUS")
    return out.getvalue()


def test_a_voice_message_is_read_as_16_khz_mono() -> None:
    samples = audio.decode(_ogg(2.0), max_seconds=10)
    assert samples.dtype == np.float32
    assert abs(len(samples) - 32_000) < 1_600  # Opus pads a little


def test_a_stereo_flac_is_mixed_down_and_resampled() -> None:
    stereo = np.zeros((44_100, 2), dtype=np.float32)
    out = io.BytesIO()
    soundfile.write(out, stereo, 44_100, format="FLAC")
    assert len(audio.decode(out.getvalue(), max_seconds=10)) == 16_000


def test_what_is_not_audio_is_undecodable() -> None:
    with pytest.raises(audio.Undecodable):
        audio.decode(b"\x00\x00\x00\x18ftypM4A not really", max_seconds=10)
    with pytest.raises(audio.Undecodable):
        audio.duration_of(b"")


def test_a_long_recording_is_refused_from_its_header() -> None:
    long_one = _ogg(181.0, rate=8_000)
    assert audio.duration_of(long_one) == pytest.approx(181.0, abs=0.1)
    with pytest.raises(audio.TooLong) as refused:
        audio.decode(long_one, max_seconds=speech.MAX_SECONDS)
    assert refused.value.limit == 180


def test_the_vocabulary_has_the_notes_areas_techniques_and_pressures() -> None:
    vocab = vocabulary()
    for phrase in ("neck", "hips", "glutes", "deep tissue", "trigger point", "firm", "ql"):
        assert phrase in vocab.phrases()
    assert {"anna", "carter"} <= vocab.words(["Anna", "Ben Carter"])


def test_the_vocabulary_is_the_parsers_own() -> None:
    """Each word stated once: every area, technique and pressure phrase a therapist would say
    is practice/quicknote.toml's, and the plans include the exercise library's names."""
    from practice.exercises import load_library
    from practice.quicknote import vocabulary as parser_vocabulary

    vocab = vocabulary()
    said = {p for p, m in parser_vocabulary().phrases.items() if m.kind == "area" and "/" not in p}
    assert {p.replace("-", " ") for p in said if len(p) > 1} <= set(vocab.areas)
    assert set(vocab.areas) <= {p.replace("-", " ") for p in said}
    assert {" ".join(spoken_words(e.name)) for e in load_library()} <= set(vocab.plans)
    assert vocab.numbers[6] == "six" and "c o" not in vocab.cues and "s" not in vocab.cues


def test_every_word_has_a_pronunciation() -> None:
    """A word the wheel's dictionary lacks gets one from the letter-to-sound rules: an
    abbreviation is spelled, a name is never spelled."""
    from speech.engines import _dictionary_text
    from speech.pronounce import letter_to_sound

    vocab = vocabulary()
    text, missing = _dictionary_text(vocab.words(["Priya"]), vocab, ["Priya"])
    assert missing == set()
    assert "scm EH S S IY EH M" in text.splitlines()
    assert letter_to_sound("priya", name=True) == "P R IY Y AH"
    assert letter_to_sound("kaz", name=True) == "K AE Z"
    assert letter_to_sound("kaz") == "K EY EY Z IY"


def test_synthetic_notes_are_reproducible_and_name_the_clients() -> None:
    vocab = vocabulary()
    first = synthetic_notes(vocab, CLIENTS, 50, seed=1)
    assert first == synthetic_notes(vocab, CLIENTS, 50, seed=1)
    assert sum(note.startswith(tuple(n.lower() for n in CLIENTS)) for note in first) > 30
    assert all("pain" in note or "out of ten" in note for note in first)


def test_the_language_model_is_a_well_formed_arpa_file() -> None:
    model = arpa_language_model(["pain six to three", "pain six down to three"])
    lines = model.splitlines()
    assert lines[0] == "\\data\\" and lines[-1] == "\\end\\"
    assert "ngram 1=7" in lines  # <s> </s> pain six to down three
    unigrams = lines[lines.index("\\1-grams:") + 1 : lines.index("\\2-grams:") - 1]
    total = sum(10 ** float(row.split("\t")[0]) for row in unigrams if "<s>" not in row)
    assert total == pytest.approx(1.0, abs=1e-3)


def test_the_grammar_and_keywords_name_the_clients() -> None:
    vocab = vocabulary()
    assert "ben carter" in jsgf_grammar(vocab, ["ben carter"])
    assert "ben carter /1e-20/" in keyword_list(vocab, ["ben carter"]).splitlines()


@needs_espeak
def test_dictated_notes_are_transcribed_with_the_vocabulary() -> None:
    """A few notes in two voices and speeds, in this process: the adapted model hears them
    far better than the general one (bench/dictation.py has the whole set's figures)."""
    chosen = [0, 1, 2, 5]
    clips = [spoken(DICTATIONS[i].text, *voice_of(i)) for i in chosen]
    refs = [" ".join(spoken_words(DICTATIONS[i].text)) for i in chosen]
    adapted = EngineSpec(adaptation="lm", names=CLIENTS)
    hyps = [pool.transcribe_here(data, adapted).text or "-" for data, _ in clips]
    assert jiwer.wer(refs, hyps) < 0.45, hyps
    # The pain numbers, the heart of the note, come through in at least three of four.
    heard = sum("pain" in hyp for hyp in hyps)
    assert heard >= 3, hyps


def test_names_are_also_given_as_other_accents_say_them() -> None:
    assert accents("K AA R T ER") == ["K AA R T AH R", "K AA T AH"]  # Carter
    assert accents("M ER IY AH") == ["M AH R IY AH"]  # Maria: the r before a vowel is said
    assert accents("M AA R K") == ["M AA K"]  # Mark
    assert accents("R OW Z") == []  # Rose: an r that starts a word stays, nothing else to vary
    assert accents("JH EY M Z") == []


@needs_espeak
def test_a_recording_is_heard_the_same_whatever_was_heard_before() -> None:
    """Nothing carries from one recording to the next: not the noise estimate, not the dither
    (with PocketSphinx's own dither or noise removal, the third note below was heard
    differently after the second)."""
    first, second = (spoken(DICTATIONS[i].text, *voice_of(i))[0] for i in (3, 2))
    spec = EngineSpec(adaptation="lm", names=CLIENTS)
    heard = [pool.transcribe_here(data, spec).text for data in (first, second, first, first)]
    assert heard[0] == heard[2] == heard[3], heard


def test_whisper_without_its_model_is_unavailable(tmp_path) -> None:
    with pytest.raises(speech.EngineUnavailable):
        engine_for(EngineSpec(engine="whisper", model_dir=str(tmp_path)))


@pytest.mark.skipif(
    not os.environ.get("WHISPER_MODEL_DIR"),
    reason="no WHISPER_MODEL_DIR: faster-whisper runs only with a model the operator has",
)
@needs_espeak
def test_whisper_transcribes_with_the_operators_model() -> None:
    data, _ = spoken(DICTATIONS[0].text, *voice_of(0))
    spec = EngineSpec(engine="whisper", names=CLIENTS, model_dir=os.environ["WHISPER_MODEL_DIR"])
    text = pool.transcribe_here(data, spec).text.lower()
    assert "neck" in text and ("six" in text or "6" in text)


@needs_espeak
async def test_the_pool_transcribes_in_a_worker_and_refuses_past_its_queue() -> None:
    data, _ = spoken("pain six to three", "en-us", 160)
    spec = EngineSpec(adaptation="lm", names=("Anna",))
    try:
        results = await asyncio.gather(
            *(speech.transcribe(data, spec) for _ in range(pool.MAX_WAITING + 2)),
            return_exceptions=True,
        )
    finally:
        await speech.shutdown()
    busy = [r for r in results if isinstance(r, speech.Busy)]
    done = [r for r in results if isinstance(r, speech.Transcript)]
    assert len(busy) == 2 and len(done) == pool.MAX_WAITING
    assert all("six" in r.text for r in done), [r.text for r in done]
    assert all(r.real_time_factor < 1.0 for r in done)


async def test_the_pool_reports_an_undecodable_recording_by_its_kind() -> None:
    try:
        with pytest.raises(speech.Undecodable):
            await speech.transcribe(b"not audio at all", EngineSpec(adaptation="plain"))
    finally:
        await speech.shutdown()


def test_the_notes_words_are_also_said_without_the_r() -> None:
    """'firm' said as in England ("F AH M") is in the dictionary, not only the names' accents."""
    from speech.engines import _dictionary_text
    from speech.vocabulary import vocabulary

    text, _ = _dictionary_text(["firm", "shoulders"], vocabulary())
    assert "firm(3) F AH M" in text.splitlines()
    assert any(line.startswith("shoulders(") for line in text.splitlines())

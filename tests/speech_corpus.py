"""The spoken set: notes as a therapist dictates them, for espeak-ng to say (tests/test_speech*.py,
bench/dictation.py). Written by hand, apart from speech/vocabulary.toml's phrases: some of their
words are ones the vocabulary's language model has never seen, as a real dictation's would be.

Each has what a parser should find in it (the client, the areas' and techniques' codes of
practice/notes.py, the pressure, the pain before and after), for field accuracy.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass, field

# The therapist's clients in the spoken set (seeded into the bot's database by the tests). The
# last four are named only in the held-out notes (HELD_OUT); "Priya" is not in the
# recogniser's pronouncing dictionary.
CLIENTS = (
    "Anna", "Ben Carter", "Maria", "Tom", "Sarah", "David", "Emma", "James",
    "Chloe", "Mark", "Oliver", "Priya",
)  # fmt: skip


@dataclass(frozen=True)
class Dictation:
    text: str
    client: str
    areas: tuple[str, ...]
    techniques: tuple[str, ...]
    pressure: str | None
    before: int | None
    after: int | None
    extra: dict[str, str] = field(default_factory=dict)


D = Dictation
DICTATIONS: tuple[Dictation, ...] = (
    D(
        "Anna. Neck and shoulders, deep tissue and trigger point, firm pressure. "
        "Pain six to three. Reports stiff neck after long drives. Next time pec release.",
        "Anna",
        ("neck", "shoulders"),
        ("deep", "trigger"),
        "firm",
        6,
        3,
    ),
    D(
        "Ben Carter. Lower back and hips, swedish, medium pressure. Pain seven down to four. "
        "Says he sleeps badly. Found tight hip flexors.",
        "Ben Carter",
        ("lower_back", "hips"),
        ("swedish",),
        "medium",
        7,
        4,
    ),
    D(
        "Maria. Upper back, myofascial release, light. Pain five then two. Responded well.",
        "Maria",
        ("upper_back",),
        ("myofascial",),
        "light",
        5,
        2,
    ),
    D(
        "Tom. Legs and feet, sports massage, firm. Pain eight to five. Complains of tight calves "
        "after training. Plan stretch the hamstrings.",
        "Tom",
        ("legs", "feet"),
        ("sports",),
        "firm",
        8,
        5,
    ),
    D(
        "Sarah. Head and neck, swedish and trigger point, light pressure. Pain four to one. "
        "Reports headaches at work.",
        "Sarah",
        ("head", "neck"),
        ("swedish", "trigger"),
        "light",
        4,
        1,
    ),
    D(
        "David. Shoulders, deep tissue, deep pressure. Pain nine out of ten before, six after. "
        "Found knots in the upper traps.",
        "David",
        ("shoulders",),
        ("deep",),
        "deep",
        9,
        6,
    ),
    D(
        "Emma. Arms and hands, lymphatic drainage, light. Pain three to one. Responded very well.",
        "Emma",
        ("arms",),
        ("lymph",),
        "light",
        3,
        1,
    ),
    D(
        "James. Lower back, hot stone and swedish, medium. Pain six to two. Next time focus on "
        "the neck.",
        "James",
        ("lower_back",),
        ("stone", "swedish"),
        "medium",
        6,
        2,
    ),
    D(
        "Anna. Same as last time. Pain five to two. Says she feels much better.",
        "Anna",
        (),
        (),
        None,
        5,
        2,
    ),
    D(
        "Ben Carter. Neck, trigger point, firm pressure. Pain seven then three. Found a trigger "
        "point in the left upper trap.",
        "Ben Carter",
        ("neck",),
        ("trigger",),
        "firm",
        7,
        3,
    ),
    D(
        "Maria. Hips and legs, stretching, medium. Pain six down to four. Plan work on the glutes.",
        "Maria",
        ("hips", "legs"),
        ("pnf",),
        "medium",
        6,
        4,
    ),
    D(
        "Tom. Upper back and shoulders, deep tissue, firm. Pain eight to four. Reports pain "
        "turning his head. Found limited right rotation.",
        "Tom",
        ("upper_back", "shoulders"),
        ("deep",),
        "firm",
        8,
        4,
    ),
    D(
        "Sarah. Feet, swedish, light. Pain two to zero. Says she stands all day at the shop.",
        "Sarah",
        ("feet",),
        ("swedish",),
        "light",
        2,
        0,
    ),
    D(
        "David. Lower back and hips, myofascial release and trigger point, firm. Pain seven to "
        "five. Next time two weeks.",
        "David",
        ("lower_back", "hips"),
        ("myofascial", "trigger"),
        "firm",
        7,
        5,
    ),
    D(
        "Emma. Neck and head, swedish, light pressure. Pain five then three. Reports tension in "
        "the jaw.",
        "Emma",
        ("neck", "head"),
        ("swedish",),
        "light",
        5,
        3,
    ),
    D(
        "James. Legs, sports massage, deep. Pain six to three. Responded with less tension "
        "afterwards.",
        "James",
        ("legs",),
        ("sports",),
        "deep",
        6,
        3,
    ),
    D(
        "Anna. Shoulders and arms, deep tissue, medium. Pain four to two. Found tight pecs.",
        "Anna",
        ("shoulders", "arms"),
        ("deep",),
        "medium",
        4,
        2,
    ),
    D(
        "Ben Carter. Upper back, swedish and stretching, medium. Pain five to three. Plan home "
        "stretches for the calves.",
        "Ben Carter",
        ("upper_back",),
        ("swedish", "pnf"),
        "medium",
        5,
        3,
    ),
    D(
        "Maria. Neck, trigger point, light. Pain seven down to two. Reports numb fingers at night.",
        "Maria",
        ("neck",),
        ("trigger",),
        "light",
        7,
        2,
    ),
    D(
        "Tom. Hips, deep tissue, firm pressure. Pain nine to six. Complains of sore hips after "
        "running.",
        "Tom",
        ("hips",),
        ("deep",),
        "firm",
        9,
        6,
    ),
    D(
        "Sarah. Lower back, lymphatic drainage, light. Pain three then two. Responded well. "
        "Next time lower back and hips.",
        "Sarah",
        ("lower_back",),
        ("lymph",),
        "light",
        3,
        2,
    ),
    D(
        "David. Neck and shoulders, swedish, medium. Pain six to four. Says the new desk helps.",
        "David",
        ("neck", "shoulders"),
        ("swedish",),
        "medium",
        6,
        4,
    ),
    D(
        "Emma. Legs and feet, hot stone, medium. Pain four to one. "
        "Found swelling around the ankle.",
        "Emma",
        ("legs", "feet"),
        ("stone",),
        "medium",
        4,
        1,
    ),
    D(
        "James. Upper back, trigger point and myofascial release, deep pressure. Pain eight "
        "then five. Reports a stiff upper back.",
        "James",
        ("upper_back",),
        ("trigger", "myofascial"),
        "deep",
        8,
        5,
    ),
    D(
        "Anna. Head, swedish, light. Pain three to zero. Plan check the jaw.",
        "Anna",
        ("head",),
        ("swedish",),
        "light",
        3,
        0,
    ),
    D(
        "Ben Carter. Legs, sports massage and stretching, firm. Pain seven to four. Complains of "
        "pain when lifting the kids.",
        "Ben Carter",
        ("legs",),
        ("sports", "pnf"),
        "firm",
        7,
        4,
    ),
    D(
        "Maria. Shoulders, deep tissue, medium pressure. Pain five down to three. Found tender "
        "points in the rhomboids.",
        "Maria",
        ("shoulders",),
        ("deep",),
        "medium",
        5,
        3,
    ),
    D(
        "Tom. Neck, swedish, light. Pain four then two. Responded good release.",
        "Tom",
        ("neck",),
        ("swedish",),
        "light",
        4,
        2,
    ),
    D(
        "Sarah. Hips and lower back, myofascial release, medium. Pain six to three. Reports "
        "sciatica down the right leg. Next time follow up in a week.",
        "Sarah",
        ("hips", "lower_back"),
        ("myofascial",),
        "medium",
        6,
        3,
    ),
    D(
        "David. Arms, trigger point, firm. Pain five to two. Says he plays tennis on Sundays.",
        "David",
        ("arms",),
        ("trigger",),
        "firm",
        5,
        2,
    ),
    D(
        "Emma. Upper back and neck, deep tissue and swedish, firm pressure. Pain eight to three. "
        "Found restricted range of motion.",
        "Emma",
        ("upper_back", "neck"),
        ("deep", "swedish"),
        "firm",
        8,
        3,
    ),
    D(
        "James. Feet and legs, lymphatic drainage, light. Pain two to one. Plan same again.",
        "James",
        ("feet", "legs"),
        ("lymph",),
        "light",
        2,
        1,
    ),
)

# Held out: written after the set above, before the recogniser and the parser were tuned on
# it (issue 13's second round), and never used to tune them. bench/dictation.py reports it
# apart from DICTATIONS, so a gain that is only fitting the tuning notes shows.
HELD_OUT: tuple[Dictation, ...] = (
    D(
        "Chloe. Traps and neck, trigger point, medium pressure. Pain seven out of ten before, "
        "four after. Reports tension headaches. Next time check the jaw.",
        "Chloe",
        ("shoulders", "neck"),
        ("trigger",),
        "medium",
        7,
        4,
    ),
    D(
        "Mark. Glutes and lower back, deep tissue, firm. Pain eight down to five. Found a tight "
        "piriformis.",
        "Mark",
        ("hips", "lower_back"),
        ("deep",),
        "firm",
        8,
        5,
    ),
    D(
        "Oliver. Calves and hamstrings, sports massage, firm pressure. Pain six to three. Says "
        "he is training for a marathon.",
        "Oliver",
        ("legs",),
        ("sports",),
        "firm",
        6,
        3,
    ),
    D(
        "Priya. Shoulders and upper back, swedish, light. Pain four then two. Responded well.",
        "Priya",
        ("shoulders", "upper_back"),
        ("swedish",),
        "light",
        4,
        2,
    ),
    D(
        "Anna. Lower back, myofascial release, medium. Pain seven to four. Complains of stiffness "
        "in the mornings.",
        "Anna",
        ("lower_back",),
        ("myofascial",),
        "medium",
        7,
        4,
    ),
    D(
        "Ben Carter. Neck, deep tissue and stretching, firm. Pain six to two. Plan home "
        "stretches every evening.",
        "Ben Carter",
        ("neck",),
        ("deep", "pnf"),
        "firm",
        6,
        2,
    ),
    D(
        "Maria. Feet, swedish, light pressure. Pain three to one. Says her feet ache after work.",
        "Maria",
        ("feet",),
        ("swedish",),
        "light",
        3,
        1,
    ),
    D(
        "Tom. Hips and legs, trigger point, deep pressure. Pain nine then five. Found tight hip "
        "flexors. Next time two weeks.",
        "Tom",
        ("hips", "legs"),
        ("trigger",),
        "deep",
        9,
        5,
    ),
    D(
        "Sarah. Arms and hands, lymphatic drainage, light. Pain five to three.",
        "Sarah",
        ("arms",),
        ("lymph",),
        "light",
        5,
        3,
    ),
    D(
        "David. Upper back and neck, myofascial release and swedish, medium pressure. Pain eight "
        "to six. Reports he sleeps badly since the move.",
        "David",
        ("upper_back", "neck"),
        ("myofascial", "swedish"),
        "medium",
        8,
        6,
    ),
    D(
        "Emma. Legs, hot stone, medium. Pain four to two. Responded with less tension.",
        "Emma",
        ("legs",),
        ("stone",),
        "medium",
        4,
        2,
    ),
    D(
        "James. Shoulders and arms, deep tissue, firm. Pain seven down to three. Found knots in "
        "the rhomboids.",
        "James",
        ("shoulders", "arms"),
        ("deep",),
        "firm",
        7,
        3,
    ),
    D(
        "Chloe. Head and jaw, swedish, light. Pain six to four. Plan focus on the neck.",
        "Chloe",
        ("head",),
        ("swedish",),
        "light",
        6,
        4,
    ),
    D(
        "Mark. Neck and shoulders, trigger point and stretching, medium. Pain five to one.",
        "Mark",
        ("neck", "shoulders"),
        ("trigger", "pnf"),
        "medium",
        5,
        1,
    ),
    D(
        "Oliver. Lower back and glutes, deep tissue, deep pressure. Pain eight to four. "
        "Complains of sciatica on the left.",
        "Oliver",
        ("lower_back", "hips"),
        ("deep",),
        "deep",
        8,
        4,
    ),
    D(
        "Priya. Neck, myofascial release, light pressure. Pain six then three. Next time follow "
        "up in a week.",
        "Priya",
        ("neck",),
        ("myofascial",),
        "light",
        6,
        3,
    ),
)

# espeak-ng's voices and speeds (words a minute) the set is spoken in, in turn.
VOICES: tuple[tuple[str, int], ...] = (
    ("en-us", 160),
    ("en-gb", 150),
    ("en-us+m3", 185),
    ("en-gb-x-rp", 170),
)

ESPEAK = shutil.which("espeak-ng")


def voice_of(index: int) -> tuple[str, int]:
    return VOICES[index % len(VOICES)]


def spoken(text: str, voice: str, speed: int) -> tuple[bytes, int]:
    """`text` said by espeak-ng, encoded as Telegram records a voice message (OGG/Opus,
    48 kHz mono): the file's bytes and its duration in whole seconds."""
    import soundfile
    import soxr

    if ESPEAK is None:
        raise RuntimeError("espeak-ng is not installed (scripts/speech-deps.sh)")
    wav = subprocess.run(
        [ESPEAK, "-v", voice, "-s", str(speed), "--stdout", text],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    samples = soxr.resample(samples, rate, 48_000)
    out = io.BytesIO()
    soundfile.write(out, samples, 48_000, format="OGG", subtype="OPUS")
    return out.getvalue(), max(1, round(len(samples) / 48_000))

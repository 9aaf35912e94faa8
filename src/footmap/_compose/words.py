"""A structured dosage in words, from the templates of ``wording.yaml`` (``dosage``).

The instruction a person follows is built from the numbers (after any adjustment), never taken
from the source's sentence, which can contradict itself ("Repeat this 3 times daily (10 sets)");
the plan keeps that sentence as the dosage's ``text``, a quote.
"""

from __future__ import annotations

from footmap._compose.parts import DosageData
from footmap._knowledge import schema


def dosage_words(dosage: DosageData, words: schema.DosageWording, scale: float = 1.0) -> str:
    """``3 times a day: 10 times, holding each for 3 seconds.``; a reduced dose says so at the end
    (its numbers are already the reduced ones)."""
    frequency = _frequency(dosage["times_per_day"], words)
    amount = _amount(dosage, words)
    sentence = (
        words.sentence.format(frequency=frequency, amount=amount)
        if amount
        else words.frequency_only.format(frequency=frequency)
    )
    sentence = sentence[:1].upper() + sentence[1:]
    if scale >= 1:
        return sentence
    reduced = words.half if scale == 0.5 else words.reduced.format(percent=round(scale * 100))
    return f"{sentence.removesuffix('.')} {reduced}."


def _frequency(times: int, words: schema.DosageWording) -> str:
    if times == 1:
        return words.once
    if times == 2:
        return words.twice
    return words.times.format(count=times)


def _amount(dosage: DosageData, words: schema.DosageWording) -> str:
    count = dosage["reps"] or dosage["sets"]
    hold, rest, duration = dosage["hold_seconds"], dosage["rest_seconds"], dosage["duration_seconds"]
    if dosage["reps"] and dosage["sets"]:
        parts = [words.sets_of.format(sets=dosage["sets"], count=dosage["reps"])]
    elif count and duration:
        parts = [words.rounds.format(count=count, time=_time(duration, words))]
    elif count:
        parts = [words.count.format(count=count)]
    else:
        parts = [words.duration.format(time=_time(duration, words))] if duration else []
    if hold:
        template = words.hold_each if count else words.hold
        parts.append(template.format(time=_time(hold, words)))
    if rest:
        parts.append(words.rest.format(time=_time(rest, words)))
    amount = ", ".join(parts)
    if dosage["per_side"]:
        amount = f"{amount} {words.per_side}" if amount else words.per_side
    return amount


def _time(seconds: int, words: schema.DosageWording) -> str:
    """``30 seconds``, ``1 minute``, ``2 minutes``, ``90 seconds``."""
    if seconds % 60:
        return words.seconds.format(count=seconds)
    minutes = seconds // 60
    return words.minute if minutes == 1 else words.minutes.format(count=minutes)

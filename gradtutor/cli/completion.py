"""Shell completion for the values learners type: topics, lessons, surfaces, optimizers.

Typer calls these while the shell completes a word (``gradtutor --install-completion``
installs the hook). Each returns ``(value, help)`` pairs for the values that start with
what is typed so far; each reads only the shipped catalogues, and a catalogue that
cannot be read completes nothing rather than breaking the shell.
"""

from __future__ import annotations

Completion = list[tuple[str, str]]


def _matching(pairs: list[tuple[str, str]], incomplete: str) -> Completion:
    typed = incomplete.lower()
    return [(value, help_) for value, help_ in pairs if value.startswith(typed)]


def quiz_topics() -> list[tuple[str, str]]:
    """Quiz topic ids with their titles, from the shipped packs."""
    from gradtutor.tutor.packs import PackError, load_catalogue

    try:
        catalogue = load_catalogue()
    except (PackError, OSError):
        return []
    return [(topic.id, topic.title) for topic in catalogue.topics]


def lessons() -> list[tuple[str, str]]:
    """Lesson ids with their titles."""
    from gradtutor.tutor.lessons import LessonError, load_lessons

    try:
        return [(lesson.id, lesson.title) for lesson in load_lessons()]
    except (LessonError, OSError):
        return []


def complete_quiz_topic(incomplete: str) -> Completion:
    """``quiz --topic``: the quiz topics."""
    return _matching(quiz_topics(), incomplete)


def complete_topic(incomplete: str) -> Completion:
    """``learn TOPIC``: lesson ids, then the quiz topics that are not also lesson ids."""
    pairs = lessons()
    seen = {value for value, _ in pairs}
    pairs += [(t, f"quiz topic: {title}") for t, title in quiz_topics() if t not in seen]
    return _matching(pairs, incomplete)


def complete_surface(incomplete: str) -> Completion:
    """``descend SURFACE``: the catalogue's surfaces and their aliases."""
    from gradtutor.descent.surfaces import ALIASES, CATALOGUE

    pairs = [(surface.name, surface.lesson) for surface in CATALOGUE]
    pairs += [(alias, f"= {name}") for alias, name in ALIASES.items()]
    return _matching(pairs, incomplete)


def complete_optimizer(incomplete: str) -> Completion:
    """``descend --optimizer``: names (also after a comma, for a race) and, after
    ``NAME:``, that optimizer's setting names (``adam:be`` → ``adam:betas=``)."""
    from gradtutor.descent.optimizers import PRESETS

    head, comma, tail = incomplete.rpartition(",")
    name, colon, setting = tail.partition(":")
    if colon:
        return _settings(f"{head}{comma}{name}:", name.strip().lower(), setting)
    prefix = head + comma
    out = [(prefix + value, _kind_help(value)) for value in PRESETS if value.startswith(tail)]
    current = _current_optimizer(head) if comma else None
    if current is not None:  # `adam:lr=0.1,` goes on with adam's settings, or a new name
        out += _settings(prefix, current, tail)
    return out


def _settings(prefix: str, name: str, typed: str) -> Completion:
    from gradtutor.descent.optimizers import DEFAULTS, PRESETS

    if name not in PRESETS or "=" in typed:
        return []
    kind = PRESETS[name][0]
    return [
        (f"{prefix}{key}=", f"{kind} setting, default {_shown(DEFAULTS[kind][key])}")
        for key in DEFAULTS[kind]
        if key.startswith(typed)
    ]


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "/".join(f"{v:g}" for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _current_optimizer(head: str) -> str | None:
    """In ``sgd,adam:lr=0.1`` the optimizer whose settings a further ``,key=`` would set:
    the last one written with a colon (None if the last one has no settings yet)."""
    current = None
    for token in head.split(","):
        name, colon, _ = token.partition(":")
        if colon:
            current = name.strip().lower()
        elif "=" not in token:
            current = None  # a bare name: a following word is another optimizer
    return current


def _kind_help(name: str) -> str:
    from gradtutor.descent.optimizers import PRESETS

    kind, preset = PRESETS[name]
    settings = ", ".join(f"{k}={v}" for k, v in preset.items())
    return kind + (f" with {settings}" if settings else "")

"""Renderers: a ``Plan`` as text, Markdown, HTML, a printable page, a trace, JSON (in full or
compact), a foot map (SVG), a calendar (iCalendar) or a FHIR R4 CarePlan, from one registry.

A renderer is a name, a media type, a file suffix and a function of a plan and the wording it is
written in; a renderer that needs more (the calendar's start date, the CarePlan's subject) names
its keyword ``options``, and :func:`render` passes them on. ``Plan.explain()``,
``Plan.to_markdown()``, ``Plan.to_html()``, ``Plan._repr_mimebundle_()`` (Jupyter: the renderers
:data:`MIMEBUNDLE` names), ``footmap recommend --format`` and the docs all read this registry.
Renderers read only the plan (and the fixed wording, ``knowledge/wording.yaml``); they never
change it.

>>> import footmap
>>> from footmap import render
>>> [renderer.name for renderer in render.renderers()]
['compact', 'explain', 'fhir', 'handout', 'html', 'ics', 'json', 'md', 'svg', 'text']
>>> plan = footmap.recommend({"pains": [{"area": "knee", "severity": 4}]})
>>> render.render(plan, "md").startswith("# Your foot plan")
True
>>> import datetime
>>> render.render(plan, "ics", start=datetime.date(2025, 1, 6)).startswith("BEGIN:VCALENDAR")
True

Adding a renderer is one module beside these and one :func:`register` call below.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from footmap import _plan
from footmap._plan import Plan, PlanItem
from footmap._suggest import did_you_mean

if TYPE_CHECKING:
    from footmap._knowledge.schema import Wording

__all__ = ["Renderer", "get", "item_mimebundle", "mimebundle", "register", "render", "renderers"]

#: A renderer's function: the plan, in the given wording, as text (and, for a renderer that has
#: ``options``, those as keyword arguments).
RenderFunction = Callable[..., str]


@dataclass(frozen=True)
class Renderer:
    """One way to show a plan: its name (``--format``), media type, file suffix and function, and
    the keyword options the function takes besides the plan and the wording (none for most)."""

    name: str
    media_type: str
    suffix: str
    function: RenderFunction
    description: str
    options: tuple[str, ...] = ()


_registry: dict[str, Renderer] = {}


class _Deferred:
    """A renderer module's function, imported on its first call: a plan rendered as Markdown never
    imports the calendar's or the CarePlan's module (nor what they import)."""

    def __init__(self, module: str, function: str) -> None:
        self._module = module
        self._function = function
        self._imported: RenderFunction | None = None
        self.__name__ = self.__qualname__ = function
        self.__doc__ = f"``footmap.render.{module[1:]}.{function}``, imported on first call."

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        if self._imported is None:
            module = importlib.import_module(self._module, __name__)
            self._imported = getattr(module, self._function)
        return self._imported(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<renderer function {self._module[1:]}.{self._function}>"


def register(renderer: Renderer) -> Renderer:
    """Add a renderer to the registry; its name must be new.

    >>> register(Renderer("md", "text/markdown", ".md", lambda plan, wording: "", "again"))
    Traceback (most recent call last):
    ...
    ValueError: a renderer named 'md' is already registered
    """
    if renderer.name in _registry:
        raise ValueError(f"a renderer named {renderer.name!r} is already registered")
    _registry[renderer.name] = renderer
    return renderer


def renderers() -> tuple[Renderer, ...]:
    """Every registered renderer, by name."""
    return tuple(_registry[name] for name in sorted(_registry))


def get(name: str) -> Renderer:
    """The renderer called ``name``; a ``ValueError`` names the known ones and the nearest.

    >>> get("mdd")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: no renderer 'mdd'. Did you mean 'md'? Known: compact, explain, fhir, ..., svg, text.
    """
    found = _registry.get(name)
    if found is None:
        known = sorted(_registry)
        raise ValueError(f"no renderer {name!r}.{did_you_mean(name, known)} Known: {', '.join(known)}.")
    return found


def render(plan: Plan, name: str, *, wording: Wording | None = None, **options: Any) -> str:
    """The plan rendered by the renderer called ``name``, in ``wording`` (default: the shipped
    knowledge's), with the keyword ``options`` that renderer takes (``start=`` for ``ics``,
    ``subject=`` for ``fhir``); an option it does not take is a ``ValueError``.

    >>> import footmap
    >>> plan = footmap.recommend({"pains": [{"area": "knee", "severity": 4}]})
    >>> render(plan, "md", start="2025-01-06")
    Traceback (most recent call last):
    ...
    ValueError: the 'md' renderer takes no option 'start'. Its options: none.
    """
    found = get(name)
    unknown = sorted(set(options) - set(found.options))
    if unknown:
        takes = ", ".join(found.options) or "none"
        hint = did_you_mean(unknown[0], found.options)
        raise ValueError(f"the {name!r} renderer takes no option {unknown[0]!r}.{hint} Its options: {takes}.")
    return found.function(plan, wording if wording is not None else _shipped_wording(), **options)


def mimebundle(
    plan: Plan,
    *,
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
    wording: Wording | None = None,
) -> dict[str, str]:
    """The plan for Jupyter: one rendering per media type of ``MIMEBUNDLE`` (``include`` and
    ``exclude`` filter media types, as IPython passes them)."""
    words = wording if wording is not None else _shipped_wording()
    return {media: get(name).function(plan, words) for media, name in _wanted(include, exclude)}


def item_mimebundle(
    item: PlanItem,
    *,
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
    wording: Wording | None = None,
) -> dict[str, str]:
    """One plan item for Jupyter: its card as HTML, and as plain text."""
    words = wording if wording is not None else _shipped_wording()
    return {
        media: _ITEM_FUNCTIONS[media](item, words)
        for media, _ in _wanted(include, exclude)
        if media in _ITEM_FUNCTIONS
    }


def _wanted(include: Iterable[str] | None, exclude: Iterable[str] | None) -> list[tuple[str, str]]:
    included = None if include is None else set(include)
    excluded = set() if exclude is None else set(exclude)
    return [
        (media, name)
        for media, name in MIMEBUNDLE.items()
        if (included is None or media in included) and media not in excluded
    ]


#: How a notebook shows one plan item, by media type.
_ITEM_FUNCTIONS: dict[str, Callable[..., str]] = {
    "text/html": _Deferred("._html", "item_html"),
    "text/plain": _Deferred("._text", "item_text"),
}

#: The media types a notebook gets, richest first, and the renderer that makes each.
MIMEBUNDLE: dict[str, str] = {"text/html": "html", "text/markdown": "md", "text/plain": "text"}


def _shipped_wording() -> Wording:
    from footmap._knowledge.base import shipped_knowledge

    return shipped_knowledge().wording


register(
    Renderer(
        "explain",
        "text/plain",
        ".trace.txt",
        _Deferred("._text", "explain"),
        "the reasoning behind every item as a trace: facts, paths, rules, evidence",
    )
)
register(
    Renderer(
        "handout",
        "text/html",
        ".handout.html",
        _Deferred("._html", "to_page"),
        "one self-contained printable HTML page (A4 or Letter)",
    )
)
register(
    Renderer(
        "html",
        "text/html",
        ".html",
        _Deferred("._html", "to_html"),
        "the notebook view: an HTML fragment, styled inline",
    )
)
register(
    Renderer(
        "json",
        "application/json",
        ".json",
        _Deferred("._json", "to_json"),
        "the plan as JSON (Plan.model_validate_json reads it back)",
    )
)
register(
    Renderer(
        "compact",
        "application/json",
        ".compact.json",
        _Deferred("._json", "to_compact_json"),
        "the plan as compact JSON, its knowledge's texts as numbers into a catalog (footmap.expand_plan"
        " reads it back; footmap knowledge catalog writes the catalog)",
    )
)
register(
    Renderer(
        "fhir",
        "application/fhir+json",
        ".fhir.json",
        _Deferred("._fhir", "to_fhir_json"),
        "an HL7 FHIR R4 CarePlan as JSON, one activity per routine item (needs subject=; footmap[fhir])",
        options=("subject",),
    )
)
register(
    Renderer(
        "ics",
        "text/calendar",
        ".ics",
        _Deferred("._ics", "to_ics"),
        "an iCalendar file: one recurring event per routine session (needs start=; time= of day)",
        options=("start", "time"),
    )
)
register(
    Renderer(
        "md",
        "text/markdown",
        ".md",
        _Deferred("._markdown", "to_markdown"),
        "Markdown: what to do, how, and why",
    )
)
register(
    Renderer(
        "text", "text/plain", ".txt", _Deferred("._text", "to_text"), "the plan as plain text for a terminal"
    )
)
register(
    Renderer(
        "svg",
        "image/svg+xml",
        ".svg",
        _Deferred("._svg", "to_svg"),
        "the foot map: the plan's reflex areas and acupressure points on both feet (Plan.foot_map())",
    )
)


class _Registry:
    """The registry as the ``Display`` a plan shows itself through."""

    def render(self, plan: Plan, name: str, **options: Any) -> str:
        return render(plan, name, **options)

    def mimebundle(
        self, plan: Plan, include: Iterable[str] | None, exclude: Iterable[str] | None
    ) -> dict[str, str]:
        return mimebundle(plan, include=include, exclude=exclude)

    def item_mimebundle(
        self, item: PlanItem, include: Iterable[str] | None, exclude: Iterable[str] | None
    ) -> dict[str, str]:
        return item_mimebundle(item, include=include, exclude=exclude)


_plan.install(_Registry())

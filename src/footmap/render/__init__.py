"""Renderers: a Plan as text, Markdown or HTML. Rendering never changes the plan."""

"""Knowledge: file models, a strict loader, cross-checks and the graph."""

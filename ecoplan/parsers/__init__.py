"""Rule families: one module each. Every module exposes plain functions over a
normalised `Document` and returns plain data or schema models."""

"""What every command of the command line shares."""

from __future__ import annotations


def examples(*lines: str) -> str:
    """A command's epilog: its examples, one a line, as written (click leaves a `\\b` block unwrapped)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)

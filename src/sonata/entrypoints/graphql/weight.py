"""How much a GraphQL document asks for, counted on its syntax tree with every fragment weighed once.

A fragment spread N times weighs N times its fields, but is walked only once, so a document of
fragments that spread each other twice (2^n fields in n lines) costs n steps to weigh, not 2^n.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

FieldCost = Callable[[FieldNode], int]
"""The cost of a field selected at the top of an operation."""


class MalformedFragments(Exception):
    """A spread of an unknown fragment, or fragments spreading each other in a cycle."""


@dataclass(frozen=True)
class Weight:
    fields: int
    """Fields selected, each fragment counted at every spread."""
    cost: int
    """Summed cost of the fields selected at the top of the operations."""
    nesting: int
    """How deep fragment spreads nest: 0 without fragments, 1 for fragments that spread no other."""


@dataclass
class _Body:
    """An operation or a fragment as written: its own fields, and the fragments it spreads."""

    fields: int = 0
    cost: int = 0
    spreads: list[tuple[str, bool]] = field(default_factory=list)  # (fragment, spread at the top level)


def measure(document: DocumentNode, cost: FieldCost) -> Weight:
    """The weight of all the document's operations together. Raises MalformedFragments."""
    bodies = {
        definition.name.value: _body(definition.selection_set, cost)
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    fragments = _fragment_weights(bodies)
    operations = [
        _combine(_body(definition.selection_set, cost), fragments)
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    return Weight(
        fields=sum(w.fields for w in operations),
        cost=sum(w.cost for w in operations),
        nesting=max((w.nesting for w in operations), default=0),
    )


def _body(selection_set: SelectionSetNode, cost: FieldCost) -> _Body:
    body = _Body()
    pending = [(selection_set, True)]
    while pending:
        selections, top = pending.pop()
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                body.fields += 1
                body.cost += cost(selection) if top else 0
                if selection.selection_set:
                    pending.append((selection.selection_set, False))
            elif isinstance(selection, InlineFragmentNode):
                pending.append((selection.selection_set, top))
            elif isinstance(selection, FragmentSpreadNode):
                body.spreads.append((selection.name.value, top))
    return body


def _combine(body: _Body, fragments: Mapping[str, Weight]) -> Weight:
    fields, cost, nesting = body.fields, body.cost, 0
    for name, top in body.spreads:
        spread = fragments.get(name)
        if spread is None:
            raise MalformedFragments(f"Unknown fragment '{name}'.")
        fields += spread.fields
        cost += spread.cost if top else 0
        nesting = max(nesting, spread.nesting)
    return Weight(fields, cost, nesting)


def _fragment_weights(bodies: Mapping[str, _Body]) -> dict[str, Weight]:
    """Each fragment's weight, fragments it spreads first: a depth-first walk with its own stack,
    so a chain of a thousand fragments needs no deep recursion."""
    weights: dict[str, Weight] = {}
    for start in bodies:
        if start in weights:
            continue
        path, on_path = [start], {start}
        spreads: list[Iterator[tuple[str, bool]]] = [iter(bodies[start].spreads)]
        while path:
            spread = next(spreads[-1], None)
            if spread is None:
                done = path.pop()
                spreads.pop()
                on_path.discard(done)
                weight = _combine(bodies[done], weights)
                weights[done] = replace(weight, nesting=weight.nesting + 1)
                continue
            name = spread[0]
            if name in on_path:
                raise MalformedFragments(f"Cannot spread fragment '{name}' within itself.")
            if name in bodies and name not in weights:
                path.append(name)
                on_path.add(name)
                spreads.append(iter(bodies[name].spreads))
    return weights

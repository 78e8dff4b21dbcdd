"""Who may ask for what: one rule per query, mutation and subscription, and per field that shows a secret.

The rules are checked while the operation is validated, for every field it selects (fragments
included), so a forbidden field runs no resolver at all: the answer is `data: null` and an error
with `extensions.code` FORBIDDEN. A root field without a rule here is forbidden to every
token. What a scoped token sees of the devices is decided by the services (DeviceService).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, GraphQLError, ValidationRule
from strawberry.extensions import SchemaExtension

from sonata.domain.access import ApiToken, Role

ROOT_TYPES = frozenset({"Query", "Mutation", "Subscription"})


@dataclass(frozen=True)
class Rule:
    role: Role
    """The least role allowed."""
    every_device: bool = False
    """Only for a token without groups."""

    def allows(self, caller: ApiToken) -> bool:
        return caller.role.includes(self.role) and (caller.scope.every_device or not self.every_device)

    def __str__(self) -> str:
        if self.every_device:
            return f"an {self.role.value} token without groups"
        allowed = [role.value for role in Role if role.includes(self.role)]
        return f"the role {' or '.join(allowed)}"


READ = Rule(Role.READER)
EDIT = Rule(Role.EDITOR)
ADMINISTER = Rule(Role.ADMIN, every_device=True)

RULES: Mapping[str, Rule] = {
    "Query.vendors": READ,
    "Query.device": READ,
    "Query.devices": READ,
    "Query.renderConfig": EDIT,
    "Query.apiTokens": ADMINISTER,
    "Query.auditLog": ADMINISTER,
    "Query.provisioningEvents": READ,
    "Query.unknownPhones": EDIT,
    "Subscription.provisioningEvents": READ,
    "Mutation.saveDevice": EDIT,
    "Mutation.updateDevice": EDIT,
    "Mutation.rotateDeviceKey": EDIT,
    "Mutation.deleteDevice": EDIT,
    "Mutation.importDevices": EDIT,
    "Mutation.createApiToken": ADMINISTER,
    "Mutation.revokeApiToken": ADMINISTER,
    # A device's key and group token are the secrets of its links: with one of them (and its MAC,
    # which readers see) anyone can fetch the device's config, passwords included.
    "Device.key": EDIT,
    "Device.token": EDIT,
    "Device.links": EDIT,
}


def refusal(caller: ApiToken, type_name: str, field_name: str) -> str | None:
    """Why the caller may not select this field; None if it may."""
    what = field_name if type_name in ROOT_TYPES else f"{type_name}.{field_name}"
    rule = RULES.get(f"{type_name}.{field_name}")
    if rule is None:
        return f"{what} has no permission rule" if type_name in ROOT_TYPES else None
    return None if rule.allows(caller) else f"{what} needs {rule}"


def _checking(caller: ApiToken) -> type[ValidationRule]:
    class Permissions(ValidationRule):
        def enter_field(self, node: FieldNode, *_args: Any) -> None:
            parent = self.context.get_parent_type()
            if parent is None or self.context.get_field_def() is None or node.name.value.startswith("__"):
                return  # an unknown field is another rule's error; introspection is for everyone
            reason = refusal(caller, parent.name, node.name.value)
            if reason is not None:
                self.report_error(GraphQLError(reason, node, extensions={"code": "FORBIDDEN"}))

    return Permissions


class Authorization(SchemaExtension):
    """Adds the caller's permission check to the rules the operation is validated with."""

    def on_operation(self) -> Iterator[None]:
        caller: ApiToken = self.execution_context.context.caller
        self.execution_context.validation_rules = (
            *self.execution_context.validation_rules,
            _checking(caller),
        )
        yield

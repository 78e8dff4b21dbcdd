"""A GraphQL request read from HTTP strictly: the body within its size, the JSON within its depth.

Anything malformed is a Refused: a 400 (a 413 for a body over SONATA_MAX_BODY_BYTES) whose text
says what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NoReturn

from starlette.types import Message, Receive
from strawberry.http import GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type

MAX_NUMBER_DIGITS = 30
"""Digits of one JSON number; no field Sonata has holds a longer one (Python refuses 4,300 and more)."""

EXAMPLE = '{"query": "{ vendors { id } }"}'


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def too_large(limit: int) -> Refused:
    return Refused(413, f"the request body is larger than {limit} bytes (SONATA_MAX_BODY_BYTES)")


def declared_too_large(content_length: str | None, limit: int) -> bool:
    """Whether the Content-Length header already says the body is over `limit`, before reading it."""
    if content_length is None or not content_length.isdigit():
        return False
    return len(content_length) > len(str(limit)) or int(content_length) > limit


def capped(receive: Receive, limit: int) -> Receive:
    """`receive` that counts the body as it streams in (chunked bodies declare no length)."""
    received = 0

    async def receive_capped() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise too_large(limit)
        return message

    return receive_capped


def from_body(body: bytes, content_type: str | None, max_depth: int) -> GraphQLRequestData:
    media_type, _ = parse_content_type(content_type or "")
    if media_type != "application/json":
        _refuse(f"send the request as JSON with 'Content-Type: application/json', such as {EXAMPLE}")
    data = _json(body, "the request body", max_depth)
    if not isinstance(data, dict):
        _refuse(f"the request body must be one JSON object, such as {EXAMPLE}")
    return _operation(data, "")


def from_query_string(params: Mapping[str, Any], max_depth: int) -> GraphQLRequestData:
    data = dict(params)
    for name in ("variables", "extensions"):
        if isinstance(data.get(name), str):
            data[name] = _json(data[name], f"the {name} parameter", max_depth) if data[name] else None
    return _operation(data, " parameter")


def _operation(data: Mapping[str, Any], kind: str) -> GraphQLRequestData:
    query, variables = data.get("query"), data.get("variables")
    operation_name, extensions = data.get("operationName"), data.get("extensions")
    if query is None or query == "":
        _refuse(f"the request has no query: send one such as {EXAMPLE}")
    if not isinstance(query, str):
        _refuse(f"the query{kind} must be a string holding the GraphQL document")
    if not isinstance(variables, dict | None):
        _refuse(f"the variables{kind} must be a JSON object or null")
    if not isinstance(operation_name, str | None):
        _refuse(f"the operationName{kind} must be a string or null")
    if not isinstance(extensions, dict | None):
        _refuse(f"the extensions{kind} must be a JSON object or null")
    return GraphQLRequestData(
        query=query,
        variables=variables,
        operation_name=operation_name,
        extensions=extensions,
        protocol="http",
    )


def _json(text: bytes | str, what: str, max_depth: int) -> object:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            _refuse(f"{what} is not UTF-8: byte {error.start} is {text[error.start]:#04x}")
    try:
        value = json.loads(text, parse_int=_number(what), parse_constant=_not_json(what))
    except json.JSONDecodeError as error:
        _refuse(f"{what} is not JSON: {error.msg} at line {error.lineno}, column {error.colno}")
    except RecursionError:
        _refuse(_too_deep(what, max_depth))
    _check_depth_and_text(value, what, max_depth)
    return value


def _number(what: str) -> Any:
    def parse_int(digits: str) -> int:
        length = len(digits.lstrip("-"))
        if length > MAX_NUMBER_DIGITS:
            _refuse(f"{what} has a number of {length} digits; at most {MAX_NUMBER_DIGITS} are allowed")
        return int(digits)

    return parse_int


def _not_json(what: str) -> Any:
    def parse_constant(name: str) -> NoReturn:
        _refuse(f"{what} holds {name}, which is not a JSON value")

    return parse_constant


def _check_depth_and_text(value: object, what: str, max_depth: int) -> None:
    """Walked with its own stack: deep nesting is refused here, not by a RecursionError later on,
    and so is a lone surrogate (JSON can escape one; UTF-8, and so the database, cannot hold it)."""
    pending: list[tuple[object, tuple[str, ...]]] = [(value, ())]
    while pending:
        item, path = pending.pop()
        if isinstance(item, str):
            _check_text(item, what, path, "at")
        elif isinstance(item, dict | list):
            if len(path) >= max_depth:
                _refuse(_too_deep(what, max_depth))
            if isinstance(item, dict):
                for key in item:
                    _check_text(key, what, path, "in a key at")
            children = item.items() if isinstance(item, dict) else enumerate(item)
            pending.extend((child, (*path, str(name))) for name, child in children)


def _check_text(text: str, what: str, path: tuple[str, ...], where: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            character = ord(text[error.start])
            location = ".".join(path) or "the top"
            _refuse(
                f"{what} has a lone surrogate \\u{character:04x} {where} {location}, which is no character"
            )


def _too_deep(what: str, max_depth: int) -> str:
    return f"{what} nests deeper than {max_depth} levels (SONATA_MAX_JSON_DEPTH)"


def _refuse(reason: str) -> NoReturn:
    raise Refused(400, reason)

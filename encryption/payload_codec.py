"""Temporal's copy of the personal data, encrypted with the case's own key.

A case's workflow input, update arguments and results, and activity inputs and results hold the
concern's summary, records and adult ids. Without this codec they sit in plain
text in Temporal's database and UI. Each payload of a case's workflow is encrypted (AES-GCM, as
the event store's) with that case's key from the key store (`eventstore/keys.py`): shredding the
key under retention makes the case's Temporal history unreadable too. Payloads of Safeguard's
other workflows (audits, governance actions, provider-concern processes) take the store key.

The codec learns which workflow a payload belongs to from Temporal's serialization context
(the workflow id, set for workflow and activity payloads alike). An encrypted payload names its
key in its metadata, so decoding needs no context, and payloads written before this codec
(plain JSON) pass through unchanged: running cases carry on across the upgrade.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any, Sequence
from uuid import UUID

from cryptography.exceptions import InvalidTag
from google.protobuf.message import DecodeError
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    DataConverter,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
)

from domain.concern import is_case_workflow
from eventstore.events import case_stream
from eventstore.keys import STORE_KEY, KeyStore

ENCODING = b"binary/encrypted"
KEY = "safeguard-key"  # metadata: the key-store row (stream) the payload is encrypted under
CASE = "safeguard-case"  # metadata: the case the payload belongs to (the codec endpoint checks access by it)
CODEC_PATH = "/codec"  # where the web app serves the codec to the Temporal UI (web/codec.py)


class UnknownKey(Exception):
    """A payload is encrypted under a key this key store does not hold."""


class CaseKeyCodec(PayloadCodec, WithSerializationContext):
    def __init__(self, keys: KeyStore, workflow_id: str | None = None) -> None:
        self.keys, self.workflow_id = keys, workflow_id

    def with_context(self, context: SerializationContext) -> "CaseKeyCodec":
        return CaseKeyCodec(self.keys, getattr(context, "workflow_id", None))

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        case_id = self.workflow_id if self.workflow_id and is_case_workflow(self.workflow_id) else None
        stream = key_of(case_id)
        cipher = self.keys.cipher(stream, create=True)  # raises Erased for a case erased under retention
        metadata = {"encoding": ENCODING, KEY: stream.hex.encode()}
        if case_id:
            metadata[CASE] = case_id.encode()
        return [Payload(metadata=metadata, data=cipher.encrypt(p.SerializeToString())) for p in payloads]  # type: ignore[union-attr]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [decrypt(self.keys, p) for p in payloads]


class ForeignPayload(ValueError):
    """An encrypted payload whose metadata does not hold together: not one this codec wrote."""


def encrypted(p: Payload) -> bool:
    return p.metadata.get("encoding") == ENCODING


def payload_case(p: Payload) -> str | None:
    """The case an encrypted payload says it belongs to (None: not a case's, or not encrypted).
    Only `decrypt` checks that its key is that case's."""
    try:
        return p.metadata[CASE].decode() if encrypted(p) and CASE in p.metadata else None
    except UnicodeDecodeError:
        raise ForeignPayload("a payload's case is not text") from None


@lru_cache(maxsize=4096)  # asked for every payload encoded and checked: a case's id names the same key always
def key_of(case_id: str | None) -> UUID:
    """The key-store row a payload is encrypted under: its case's, or the store key for no case."""
    return case_stream(case_id) if case_id else STORE_KEY


def payload_key(p: Payload) -> UUID:
    """The key an encrypted payload is under, which must be its case's (or, for no case, the store
    key): the case named decides who may read it, so it must be the key that opens it."""
    case_id = payload_case(p)
    expected = key_of(case_id)
    if p.metadata.get(KEY) != expected.hex.encode():
        raise ForeignPayload(f"a payload's key is not the key of {'case ' + case_id if case_id else 'the store'}")
    return expected


def decrypt(keys: KeyStore, p: Payload) -> Payload:
    """The payload as it was before encoding; a plain one as it is. Raises `Erased` when its case's
    key was shredded, `UnknownKey` when the key store never held its key, `ForeignPayload` when its
    key is not its case's or it does not decrypt."""
    if not encrypted(p):
        return p
    stream = payload_key(p)
    cipher = keys.cipher(stream)
    if cipher is None:
        raise UnknownKey(f"a Temporal payload is encrypted under key {stream.hex}, which the key store at "
                         f"{keys.where} does not hold (another deployment's key store, or a restore without its keys?)")
    try:
        return Payload.FromString(cipher.decrypt(p.data))
    except (ValueError, InvalidTag, DecodeError):
        raise ForeignPayload("a payload does not decrypt under its key (altered, or not written by Safeguard)") from None


@dataclasses.dataclass(frozen=True)
class ContextualConverter(DataConverter):
    """Temporal's DataConverter, set to each payload's context more cheaply. Temporal asks for a
    converter with the context of every payload it encodes or decodes; its own `with_context`
    rebuilds the whole converter for that (a new payload converter and failure converter, made and
    thrown away: a tenth of the worker's time on a step completion, profiled). Only the codec takes
    the context here, so this copies the converter and sets the parts whose context changed."""

    def with_context(self, context: SerializationContext) -> "ContextualConverter":
        changed: dict[str, Any] = {}
        for name in _PARTS:
            part = getattr(self, name)
            if isinstance(part, WithSerializationContext) and (with_context := part.with_context(context)) is not part:
                changed[name] = with_context
        if not changed:
            return self
        clone = object.__new__(type(self))  # no __init__: the payload and failure converters are kept, not made again
        clone.__dict__.update(self.__dict__, **changed)
        return clone


_PARTS = ("payload_converter", "payload_codec", "failure_converter", "external_storage")


def data_converter(keys: KeyStore | None) -> DataConverter:
    """Pydantic payloads, encrypted per case when encryption at rest is on (`keys` given).

    Failure messages stay plain: Temporal hands a query's failure to the client as its message
    alone, so an encoded one would reach staff as "Encoded failure". They carry no personal text
    (an activity's failure is redacted by configuration/redaction.py; refusals name ids and fields)."""
    if keys is None:
        return pydantic_data_converter
    return ContextualConverter(payload_converter_class=pydantic_data_converter.payload_converter_class,
                               failure_converter_class=pydantic_data_converter.failure_converter_class,
                               payload_codec=CaseKeyCodec(keys))

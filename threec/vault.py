"""The identity vault: the identifiers the statutory returns need and the warehouse never holds.

The warehouse keeps an NHS number only as a keyed pseudonym and a postcode only as its
district. The Client Level Data return needs both in full, so ingest also writes them
here: a DuckDB file of its own, beside the warehouse and never published, holding one
AES-256-GCM sealed batch per loaded people file. Each batch carries the delivery id and
row number of every row, which is exactly how the warehouse names a record version, so
the returns job can take the identifiers of each person's *current* version.

Sealing whole batches rather than single values keeps ingest fast at national scale (one
encryption per file) and reveals nothing about how many people have an NHS number. The
256-bit key is derived with HKDF-SHA-256 from THREEC_VAULT_KEY and a random salt stored
in the file; a wrong key fails the stored key check with a clear message, and losing the
key loses the identifiers only: the warehouse and every other output are unaffected.
"""

from __future__ import annotations

import io
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa
import pyarrow.ipc as ipc
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from threec.errors import ThreecError

FORMAT = "threec-vault-1"
KEY_CHECK = b"threec identity vault key check"
# The columns a sealed people batch holds, in order.
BATCH_SCHEMA = pa.schema([
    ("row_number", pa.int64()),
    ("person_id", pa.string()),
    ("nhs_number", pa.string()),
    ("postcode", pa.string()),
])


class VaultError(ThreecError):
    """The vault cannot be opened or read (wrong key, damaged file)."""


def _derive(secret: str, salt: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=FORMAT.encode()).derive(secret.encode())
    return AESGCM(key)


def _seal(aead: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + aead.encrypt(nonce, plaintext, aad)


def _open(aead: AESGCM, sealed: bytes, aad: bytes) -> bytes:
    return aead.decrypt(sealed[:12], sealed[12:], aad)


def _batch_aad(delivery_id: int, entity: str) -> bytes:
    # Binds each sealed batch to its delivery, so batches cannot be swapped between rows.
    return f"{FORMAT}|{entity}|{delivery_id}".encode()


class Vault:
    """An open vault file; use ``open_vault``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, aead: AESGCM, path: Path):
        self.con, self.aead, self.path = con, aead, path

    def store(self, delivery_id: int, entity: str, batch: pa.Table) -> None:
        """Seal one file's identifiers. Idempotent: a delivery is stored once."""
        batch = batch.select(BATCH_SCHEMA.names).cast(BATCH_SCHEMA)
        sink = io.BytesIO()
        with ipc.new_stream(sink, BATCH_SCHEMA) as writer:
            writer.write_table(batch)
        sealed = _seal(self.aead, sink.getvalue(), _batch_aad(delivery_id, entity))
        self.con.execute("insert or ignore into batches values (?, ?, ?, ?)",
                         [delivery_id, entity, batch.num_rows, sealed])

    def identifiers(self, entity: str = "people") -> pa.Table:
        """Every sealed row of ``entity`` with its delivery id, decrypted in memory only."""
        tables = []
        for delivery_id, sealed in self.con.execute(
                "select delivery_id, sealed from batches where entity = ? order by delivery_id", [entity]).fetchall():
            try:
                plain = _open(self.aead, bytes(sealed), _batch_aad(delivery_id, entity))
            except InvalidTag:
                raise VaultError(f"the identity vault {self.path} holds a batch (delivery {delivery_id}) that "
                                 "does not decrypt: the file was altered or written with another key") from None
            table = ipc.open_stream(plain).read_all()
            tables.append(table.append_column("delivery_id", pa.array([delivery_id] * table.num_rows, pa.int64())))
        if not tables:
            return BATCH_SCHEMA.empty_table().append_column("delivery_id", pa.array([], pa.int64()))
        return pa.concat_tables(tables)


@contextmanager
def open_vault(path: Path, secret: str, *, create: bool = False) -> Iterator[Vault]:
    """Open (or with ``create``, create) the vault at ``path`` and check the key."""
    if not create and not path.exists():
        raise VaultError(f"there is no identity vault at {path}: it is written when people files are "
                         "ingested, so run the daily load (`threec run`) first")
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists()
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as exc:
        raise VaultError(f"the identity vault {path} cannot be opened: {str(exc).splitlines()[0]}") from None
    try:
        if fresh:
            os.chmod(path, 0o600)
        con.execute("create table if not exists meta (format varchar, salt blob, key_check blob)")
        con.execute("create table if not exists batches (delivery_id bigint primary key, entity varchar, "
                    "row_count bigint, sealed blob)")
        row = con.execute("select format, salt, key_check from meta").fetchall()
        if not row:
            salt = os.urandom(16)
            aead = _derive(secret, salt)
            con.execute("insert into meta values (?, ?, ?)", [FORMAT, salt, _seal(aead, KEY_CHECK, FORMAT.encode())])
        else:
            fmt, salt, check = row[0]
            if fmt != FORMAT:
                raise VaultError(f"the identity vault {path} has format {fmt!r}; this threec reads {FORMAT!r}")
            aead = _derive(secret, bytes(salt))
            try:
                ok = _open(aead, bytes(check), FORMAT.encode()) == KEY_CHECK
            except InvalidTag:
                ok = False
            if not ok:
                raise VaultError(f"THREEC_VAULT_KEY does not open the identity vault {path}: it was written "
                                 "with a different key. Set the key it was created with: without that key "
                                 "the identifiers in it cannot be read")
        yield Vault(con, aead, path)
    finally:
        con.close()

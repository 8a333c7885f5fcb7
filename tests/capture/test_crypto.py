"""The streaming AEAD: every way a stored object can be damaged is caught, chunk by chunk."""

import hashlib
import io
import os

import pytest

from capture import crypto
from capture.crypto import CHUNK_SIZE, HEADER_SIZE, TAG_SIZE, DecryptionFailed

KEY = bytes(range(32))


def seal(data: bytes, key: bytes = KEY, write_size: int = 65536) -> bytes:
    sink = io.BytesIO()
    encryptor = crypto.StreamEncryptor(key, sink)
    for start in range(0, len(data), write_size):
        encryptor.write(data[start : start + write_size])
    encryptor.close()
    return sink.getvalue()


def open_sealed(sealed: bytes, key: bytes = KEY) -> bytes:
    return b"".join(crypto.decrypt_stream(key, io.BytesIO(sealed)))


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE])
@pytest.mark.parametrize("write_size", [1000, CHUNK_SIZE, 5 * CHUNK_SIZE])
def test_round_trip_of_every_boundary_size(size, write_size):
    data = os.urandom(size)
    sealed = seal(data, write_size=write_size)
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert len(sealed) == HEADER_SIZE + size + chunks * TAG_SIZE
    assert open_sealed(sealed) == data


def test_flipped_bit_names_the_chunk():
    sealed = bytearray(seal(os.urandom(3 * CHUNK_SIZE)))
    sealed[HEADER_SIZE + CHUNK_SIZE + TAG_SIZE + 10] ^= 0x01  # inside chunk 1
    with pytest.raises(DecryptionFailed) as failure:
        open_sealed(bytes(sealed))
    assert failure.value.chunk == 1


def test_cut_at_a_chunk_boundary_is_caught_as_truncation():
    # The dangerous case: what is left is a whole number of valid chunks.
    sealed = seal(os.urandom(2 * CHUNK_SIZE + 5))
    cut = sealed[: HEADER_SIZE + 2 * (CHUNK_SIZE + TAG_SIZE)]
    with pytest.raises(DecryptionFailed) as failure:
        open_sealed(cut)
    assert "truncated" in failure.value.reason


def test_swapped_chunks_and_swapped_headers_are_caught():
    data = os.urandom(3 * CHUNK_SIZE)
    sealed = seal(data)
    size = CHUNK_SIZE + TAG_SIZE
    body = [sealed[HEADER_SIZE + i * size : HEADER_SIZE + (i + 1) * size] for i in range(3)]
    with pytest.raises(DecryptionFailed):
        open_sealed(sealed[:HEADER_SIZE] + body[1] + body[0] + body[2])
    other = seal(data)
    with pytest.raises(DecryptionFailed):
        open_sealed(other[:HEADER_SIZE] + sealed[HEADER_SIZE:])


def test_wrong_key_and_foreign_file_fail():
    sealed = seal(b"thu gui me")
    with pytest.raises(DecryptionFailed):
        open_sealed(sealed, key=bytes(32))
    with pytest.raises(DecryptionFailed):
        open_sealed(b"\xff\xd8\xff\xe0 a plain JPEG header")


def test_same_plaintext_encrypts_differently_each_time():
    assert seal(b"x" * 1000) != seal(b"x" * 1000)


def test_object_name_is_keyed_not_a_plain_hash():
    data = b"a photo of a letter"
    mac = crypto.object_name(KEY)
    mac.update(data)
    other = crypto.object_name(bytes(32))
    other.update(data)
    assert mac.hexdigest() != hashlib.sha256(data).hexdigest()
    assert mac.hexdigest() != other.hexdigest()


def test_derived_keys_differ_by_purpose():
    assert crypto.derive_key(KEY, "a") != crypto.derive_key(KEY, "b")
    assert len(crypto.derive_key(KEY, "a")) == 32

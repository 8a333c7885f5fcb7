"""Checks of keys that come from outside (an enrolment, the command line)."""

from __future__ import annotations

_P = 2**255 - 19
_D = -121665 * pow(121666, _P - 2, _P) % _P


def is_ed25519_point(key: bytes) -> bool:
    """Whether 32 bytes decode to a point of Ed25519 (RFC 8032 §5.1.3); the cryptography
    package takes any 32 bytes as a public key and only fails later, at every signature."""
    if len(key) != 32:
        return False
    y = int.from_bytes(key, "little") & ((1 << 255) - 1)
    sign = key[31] >> 7
    if y >= _P:
        return False
    u, v = (y * y - 1) % _P, (_D * y * y + 1) % _P
    x = u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P) % _P
    if (v * x * x - u) % _P != 0:
        if (v * x * x + u) % _P != 0:
            return False
    return not (x == 0 and sign)

"""The command's TLS certificate: a self-signed one made by ``sohoa-server tls-cert`` (stations
pin it at enrolment, so no certificate authority is needed, and none can be tricked into
issuing one for the command), or one the command already has, e.g. its reverse proxy's."""

from __future__ import annotations

import hashlib
import ipaddress
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sync.errors import SyncError

CERT_FILE = "cert.pem"
KEY_FILE = "key.pem"


class TlsProblem(SyncError):
    """The TLS certificate or key cannot be used."""


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path

    @classmethod
    def in_data(cls, data: Path) -> TlsFiles:
        return cls(data / "tls" / CERT_FILE, data / "tls" / KEY_FILE)

    def exist(self) -> bool:
        return self.cert.is_file() and self.key.is_file()


def certificate_sha256(pem_file: Path) -> str:
    """SHA-256 (hex) of the DER form of a PEM certificate: what a station pins."""
    try:
        cert = x509.load_pem_x509_certificate(pem_file.read_bytes())
    except (OSError, ValueError) as error:
        raise TlsProblem(f"{pem_file}: {error}") from None
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def make_self_signed(files: TlsFiles, host: str, addresses: list[str], now: datetime,
                     days: int = 3650) -> str:
    """A new key (P-256, file mode 0600) and a self-signed certificate for ``host`` and
    ``addresses``; the certificate's SHA-256. Long-lived on purpose: stations pin this very
    certificate, so replacing it means enrolling them again."""
    if files.cert.exists() or files.key.exists():
        raise TlsProblem(f"{files.cert.parent} already has a certificate; remove it first "
                         "(the enrolled stations pinned it)")
    try:
        ips = [ipaddress.ip_address(a) for a in addresses]
    except ValueError as error:
        raise TlsProblem(str(error)) from None
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    names: list[x509.GeneralName] = [x509.DNSName(host), *(x509.IPAddress(ip) for ip in ips)]
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    files.cert.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(files.key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return certificate_sha256(files.cert)

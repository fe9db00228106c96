"""Outbound connections only to public addresses: the guard every connection the server makes for a user goes
through (SFTP sources today, webhook or other URLs later).

A host an agency admin types could name the server itself, its private network or the cloud metadata service;
connecting there would let them scan ports or read internal services. So a host's name is resolved once, every
address it resolves to must be public (or in the operator's ``OUTBOUND_ALLOWED_NETWORKS``), and the connection
is made to one of those checked addresses, never by resolving the name again (a second answer could differ).
A refused host is refused before any packet is sent to it, so the answer is the same whether a port is open.
"""

import ipaddress
import socket
from collections.abc import Iterable

from flask import current_app

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class AddressRefused(OSError):
    """The host resolves to an address outbound connections may not reach (never worth retrying)."""


def parse_networks(raw: str) -> list[Network]:
    """The operator's allow-list: comma-separated CIDRs (``10.20.0.0/16, 192.168.5.7``); ValueError if malformed."""
    return [ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip()]


def allowed_networks() -> list[Network]:
    return current_app.config.get("OUTBOUND_ALLOWED_NETWORKS", [])


def _embedded_ipv4(address: Address) -> list[Address]:
    """The address itself plus any IPv4 address an IPv6 form carries (mapped, 6to4, Teredo), checked too."""
    found = [address]
    if isinstance(address, ipaddress.IPv6Address):
        found += [v4 for v4 in (address.ipv4_mapped, address.sixtofour) if v4 is not None]
        found += list(address.teredo or ())
    return found


def is_public(address: Address) -> bool:
    """Globally routable unicast: not loopback, link-local, private, unspecified, multicast or reserved."""
    return all(a.is_global and not a.is_multicast and not a.is_reserved for a in _embedded_ipv4(address))


def is_permitted(address: Address, allowed: Iterable[Network] = ()) -> bool:
    """Public, or inside one of the operator's allowed networks."""
    plain = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped else address
    return is_public(address) or any(plain in network for network in allowed)


def checked_addresses(host: str, port: int) -> list[tuple]:
    """Resolve ``host`` and return its ``getaddrinfo`` entries; AddressRefused unless every address is permitted.

    All of them are checked, not only the first: a name that answers with one public and one internal address
    would otherwise reach the internal one on a retry.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError:  # a name IDNA cannot encode; an unknown name is socket.gaierror, an OSError (retried)
        raise OSError(f"The host name {host} is not valid.") from None
    allowed = allowed_networks()
    if not infos or not all(is_permitted(ipaddress.ip_address(info[4][0]), allowed) for info in infos):
        raise AddressRefused(refusal(host))
    return infos


def refused_host(host: str, port: int) -> str:
    """The refusal message when ``host`` resolves to an address that is not permitted; "" otherwise (a name
    that does not resolve now is left to connect time, where it is checked again)."""
    try:
        checked_addresses(host, port)
    except AddressRefused as exc:
        return str(exc)
    except OSError:
        return ""
    return ""


def refusal(host: str) -> str:
    """One message for every refused host, whatever is listening there."""
    return (
        f"{host} is a loopback, private, link-local or reserved address (or resolves to one); DebtFlow does not "
        "connect there. An operator can allow a network with OUTBOUND_ALLOWED_NETWORKS."
    )


def connect(host: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to a checked address of ``host``; AddressRefused or OSError (unreachable)."""
    error: OSError = OSError(f"{host} has no address to connect to.")
    for family, kind, proto, _, sockaddr in checked_addresses(host, port):
        sock = socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        _check_peer(sock, host)
        return sock
    raise error


def _check_peer(sock: socket.socket, host: str) -> None:
    """The connected peer is checked again: what was checked is what we reached."""
    peer = ipaddress.ip_address(sock.getpeername()[0].split("%")[0])
    if not is_permitted(peer, allowed_networks()):
        sock.close()
        raise AddressRefused(refusal(host))

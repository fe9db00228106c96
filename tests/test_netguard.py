"""app.netguard: which addresses outbound connections may reach, and the operator's allow-list."""

import ipaddress

import pytest

from app import netguard
from app.config import Config, ConfigError
from tests.test_config import PRODUCTION

REFUSED = [
    "127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.254", "192.168.1.1", "169.254.169.254",
    "169.254.0.1", "0.0.0.0", "100.64.0.1", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",  # noqa: S104
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
    "2002:7f00:1::", "2001:db8::1",
]  # fmt: skip
PUBLIC = ["8.8.8.8", "93.184.216.34", "172.32.0.1", "2606:4700:4700::1111"]


@pytest.mark.parametrize("address", REFUSED)
def test_internal_and_reserved_addresses_are_not_public(address):
    assert not netguard.is_public(ipaddress.ip_address(address))
    assert not netguard.is_permitted(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_permitted(address):
    assert netguard.is_permitted(ipaddress.ip_address(address))


def test_the_allow_list_permits_only_its_networks():
    allowed = netguard.parse_networks("10.20.0.0/16, 127.0.0.1")
    assert netguard.is_permitted(ipaddress.ip_address("10.20.5.6"), allowed)
    assert netguard.is_permitted(ipaddress.ip_address("::ffff:127.0.0.1"), allowed)
    assert not netguard.is_permitted(ipaddress.ip_address("10.21.0.1"), allowed)
    assert not netguard.is_permitted(ipaddress.ip_address("127.0.0.2"), allowed)


def test_a_name_is_checked_by_every_address_it_resolves_to(app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", [])
    with pytest.raises(netguard.AddressRefused, match="localhost is a loopback"):
        netguard.checked_addresses("localhost", 22)
    assert "localhost is a loopback" in netguard.refused_host("localhost", 22)
    assert netguard.refused_host("no-such-host.invalid", 22) == ""


def test_the_allow_list_comes_from_the_environment(monkeypatch, tmp_path):
    for name, value in {**PRODUCTION, "OUTBOUND_ALLOWED_NETWORKS": "10.0.0.0/8, fd00::/8"}.items():
        monkeypatch.setenv(name, value)
    assert [str(n) for n in Config.from_env(tmp_path)["OUTBOUND_ALLOWED_NETWORKS"]] == ["10.0.0.0/8", "fd00::/8"]
    monkeypatch.setenv("OUTBOUND_ALLOWED_NETWORKS", "10.0.0.0/33")
    with pytest.raises(ConfigError, match="OUTBOUND_ALLOWED_NETWORKS"):
        Config.from_env(tmp_path)
    monkeypatch.delenv("OUTBOUND_ALLOWED_NETWORKS")
    assert Config.from_env(tmp_path)["OUTBOUND_ALLOWED_NETWORKS"] == []

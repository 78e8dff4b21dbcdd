"""One rule for a SIP server given without a port, on every vendor: RFC 3261's 5061 for TLS,
5060 for UDP and TCP; registrar, backup server and outbound proxy alike."""

import re

import pytest
from tests.unit.vendors.samples import account, device, render

from sonata.domain.model import HostPort, Transport
from sonata.domain.vendors import VENDORS

REGISTRAR, BACKUP, PROXY = "registrar.example.com", "backup.example.com", "proxy.example.com"

# Per vendor and key format, where each server's port is written: `{port}` stands for it.
EXPECTED = {
    ("yealink", "t46s", "001565aabbcc"): [
        "account.1.sip_server.1.port = {port}",
        "account.1.sip_server.2.port = {port}",
        "account.1.outbound_proxy.1.port = {port}",
    ],
    ("yealink", "t28p", "001565aabbcc"): [
        "account.1.sip_server_port = {port}",
        "account.1.sip_server.2.port = {port}",
        "account.1.outbound_port = {port}",
    ],
    ("grandstream", "gxp2170", "000b82aabbcc"): [
        f"<P47>{REGISTRAR}:{{port}}</P47>",
        f"<P2312>{BACKUP}:{{port}}</P2312>",
        f"<P48>{PROXY}:{{port}}</P48>",
    ],
    ("grandstream", "grp2614", "c074ad112233"): [
        f'"account.1.sip.server.1.address">{REGISTRAR}:{{port}}<',
        f'"account.1.sip.server.2.address">{BACKUP}:{{port}}<',
        f'"account.1.sip.outboundProxy.1.address">{PROXY}:{{port}}<',
    ],
    ("fanvil", "x4", "0c383e07e16c"): [
        "<Register_Port>{port}</Register_Port>",
        "<Backup_Port>{port}</Backup_Port>",
        "<Proxy_Port>{port}</Proxy_Port>",
    ],
    ("fanvil", "x6u", "0c383e07e16c"): [
        "<RegisterPort>{port}</RegisterPort>",
        "<BackupPort>{port}</BackupPort>",
        "<ProxyPort>{port}</ProxyPort>",
    ],
    # Snom: the backup server is a hidden second identity (`user_host idx="2"`).
    ("snom", "d785", "000413aabbcc"): [
        f'<user_host idx="1" perm="">{REGISTRAR}:{{port}}<',
        f'<user_host idx="2" perm="">{BACKUP}:{{port}}<',
        f'<user_outbound idx="1" perm="">{PROXY}:{{port}};transport=',
    ],
    ("htek", "uc926", "001fc11c22a9"): [
        f">{REGISTRAR}:{{port}}</P47>",
        f">{BACKUP}:{{port}}</P967>",
        f">{PROXY}:{{port}}</P48>",
    ],
}


def rendered(vendor_id: str, model: str, mac: str, transport: Transport) -> str:
    first = account(
        1,
        sip_register=HostPort(REGISTRAR),
        backup_server=HostPort(BACKUP),
        outbound_proxy=HostPort(PROXY),
        transport=transport,
    )
    return render(VENDORS[vendor_id], device(first, vendor=vendor_id, model=model, mac=mac)).decode()


@pytest.mark.parametrize(("vendor_id", "model", "mac"), list(EXPECTED))
@pytest.mark.parametrize(
    ("transport", "port"), [(Transport.TLS, 5061), (Transport.TCP, 5060), (Transport.UDP, 5060)]
)
def test_a_server_without_a_port_gets_the_default_port_of_its_transport(
    vendor_id: str, model: str, mac: str, transport: Transport, port: int
) -> None:
    text = rendered(vendor_id, model, mac, transport)
    for expected in EXPECTED[(vendor_id, model, mac)]:
        assert expected.format(port=port) in text
    assert not re.search(rf"\b{5121 - port}\b", text)  # the other default appears nowhere

"""GraphQL inputs and their translation into domain drafts."""

from __future__ import annotations

from datetime import datetime

import strawberry

from sonata.domain.validation import AccountDraft, DeviceDraft, RulesDraft


@strawberry.input
class AccountInput:
    line: int
    sip_register: str
    sip_user: str
    name: str | None = None
    sip_name: str | None = None
    sip_password: str | None = strawberry.field(
        default=None, description="Write-only. Omit it to keep the password stored for this line."
    )
    sip_auth: str | None = None
    enabled: bool = True

    def to_draft(self) -> AccountDraft:
        return AccountDraft(
            line=self.line,
            sip_register=self.sip_register,
            sip_user=self.sip_user,
            sip_password=self.sip_password,
            name=self.name,
            sip_name=self.sip_name,
            sip_auth=self.sip_auth,
            enabled=self.enabled,
        )


@strawberry.input
class RulesInput:
    expires_at: datetime | None = None
    check_mac: bool = False
    allowed_ips: list[str] = strawberry.field(default_factory=list)

    def to_draft(self) -> RulesDraft:
        return RulesDraft(expires_at=self.expires_at, check_mac=self.check_mac, allowed_ips=list(self.allowed_ips))


@strawberry.input
class DeviceInput:
    vendor: str
    model: str
    mac: str
    key: str | None = None
    token: str | None = None
    title: str | None = None
    timezone_offset: str | None = None
    ntp_server: str | None = None
    status: bool = True
    accounts: list[AccountInput] = strawberry.field(default_factory=list)
    rules: RulesInput | None = None

    def to_draft(self) -> DeviceDraft:
        return DeviceDraft(
            vendor=self.vendor,
            model=self.model,
            mac=self.mac,
            key=self.key,
            token=self.token,
            title=self.title,
            timezone_offset=self.timezone_offset,
            ntp_server=self.ntp_server,
            status=self.status,
            accounts=[a.to_draft() for a in self.accounts],
            rules=self.rules.to_draft() if self.rules else None,
        )

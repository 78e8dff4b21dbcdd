"""Answering a phone: identify the device, check its rules, render the file it asked for."""

from __future__ import annotations

import ipaddress
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from sonata.domain.access import EVERY_DEVICE, Scope
from sonata.domain.errors import FieldError, ValidationFailed
from sonata.domain.logtext import fingerprint, quoted
from sonata.domain.mac import parse_mac
from sonata.domain.memo import BoundedMemo
from sonata.domain.model import Device, LinkKind, ProvisioningRecord
from sonata.domain.phone_dst import approximation
from sonata.domain.phone_fetch import FetchOutcome, PhoneFetch, RefusalKind
from sonata.domain.ports import (
    AddressLocks,
    Clock,
    FetchObserver,
    PhoneDevices,
    ProvisioningEventLog,
    ProvisioningRecorder,
    RenderedFiles,
    TemplateEngine,
    UnknownPhoneRecorder,
)
from sonata.domain.provisioning_events import ProvisioningEvent
from sonata.domain.services.devices import UnitOfWorkFactory
from sonata.domain.services.fetch_log import DEFAULT_SERVED_LINES, FetchLog
from sonata.domain.services.phone_auth import PhoneAuthenticator
from sonata.domain.unknown_phones import UnknownPhone, cut
from sonata.domain.validation import is_secret
from sonata.domain.vendors import VENDORS, identify_phone, mac_in_filename, vendor_of_mac
from sonata.domain.vendors.base import (
    MAX_FILENAME,
    MAX_USER_AGENT,
    FileKind,
    PhoneIdentity,
    RenderedFile,
    RenderRequest,
    RequestedFile,
)

log = logging.getLogger("sonata.provisioning")

PARSE_MEMO_SIZE = 16_384
"""How many User-Agents and file names recently seen keep what they were read as: one per phone of
a boot storm, so each is read once (at most 512 and 64 characters each, so a few MB at most)."""


@dataclass(frozen=True)
class ProvisioningRequest:
    link: LinkKind
    secret: str
    filename: str | None
    client_ip: str
    user_agent: str | None
    link_url: str = ""
    """The directory URL the phone used; the config it gets points back at it."""
    probe: bool = False
    """Only asking (HTTP HEAD): answered like a fetch, but not recorded as the device's last one."""
    authorization: str | None = None
    """The Authorization header, for a device that needs credentials."""
    request_uris: tuple[str, ...] = ()
    """The forms of the request's target a Digest `uri` may name (path and query as sent)."""

    @property
    def method(self) -> str:
        return "HEAD" if self.probe else "GET"


@dataclass(frozen=True)
class Refusal:
    """Why a request was not answered; the caller sees only a uniform 404, or with a challenge a 401.

    A quiet refusal is a file phones ask for that Sonata does not serve, or the first step of an
    authenticated fetch (no credentials yet, a stale nonce): no failure, no reason to log.
    """

    reason: str
    kind: RefusalKind
    quiet: bool = False
    challenge: tuple[str, ...] = ()
    """WWW-Authenticate values: the device exists and needs credentials the request lacks."""
    counts: bool = False
    """A failure of the client address's budget: a guessed key, token or MAC, a wrong MAC or wrong
    credentials, never a file of a device the phone found, nor a rule of that device."""


class _Refused(Exception):
    def __init__(
        self,
        kind: RefusalKind,
        reason: str,
        quiet: bool = False,
        challenge: tuple[str, ...] = (),
        *,
        counts: bool = False,
        device: Device | None = None,
    ) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.quiet = quiet
        self.challenge = challenge
        self.counts = counts
        self.device = device
        """The device the request was found to ask for: the refusal goes into its history."""


@dataclass(frozen=True)
class _Match:
    device: Device
    requested: RequestedFile
    filename: str


class ProvisioningService:
    """Identify, check the rules, render: per request, whether the device and its file come from
    memory or from the database. Previews read the database itself."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        engine: TemplateEngine,
        clock: Clock,
        *,
        devices: PhoneDevices,
        files: RenderedFiles,
        recorder: ProvisioningRecorder,
        authenticator: PhoneAuthenticator | None = None,
        locks: AddressLocks,
        publish_window_minutes: int | None = None,
        observer: FetchObserver | None = None,
        served_lines_per_second: int = DEFAULT_SERVED_LINES,
        events: ProvisioningEventLog | None = None,
        unknown_phones: UnknownPhoneRecorder | None = None,
    ) -> None:
        """`publish_window_minutes` is the window of devices without one of their own (None: none).
        `observer` counts every fetch; the log has every refusal and up to `served_lines_per_second`
        files served a second. `events` gets each fetch of a known device, served or refused, but
        not a probe (the device's history). `unknown_phones` notes phones that say who they are
        asking on a common link for a MAC no device has there."""
        self._uow_factory = uow_factory
        self._engine = engine
        self._clock = clock
        self._devices = devices
        self._files = files
        self._recorder = recorder
        self._locks = locks
        self._publish_window_minutes = publish_window_minutes
        self._authenticator = authenticator or PhoneAuthenticator(clock)
        self._observer = observer
        self._events = events
        self._unknown_phones = unknown_phones
        self._fetch_log = FetchLog(log, lines=served_lines_per_second)
        self._identify = BoundedMemo(identify_phone, PARSE_MEMO_SIZE)
        self._mac_in_filename = BoundedMemo(mac_in_filename, PARSE_MEMO_SIZE)
        self._dst_logged = BoundedMemo(self._log_dst_approximation, PARSE_MEMO_SIZE)

    async def load_nonce_key(self) -> None:
        """Sign Digest nonces with the key every serving process shares (made on the first start)."""
        await self._authenticator.load_key(self._uow_factory)

    async def provision(self, request: ProvisioningRequest) -> RenderedFile | Refusal:
        started = time.perf_counter()
        # Only the first MAX_USER_AGENT characters are read, so only they are remembered.
        identity = self._identify((request.user_agent or "")[:MAX_USER_AGENT])
        try:
            match = await self._decide(request, identity)
        except _Refused as refused:
            refusal = Refusal(refused.reason, refused.kind, refused.quiet, refused.challenge, refused.counts)
            self._observe(_refused_fetch(request, identity, refusal, time.perf_counter() - started))
            if refused.device is not None:
                self._keep_event(refused.device, request, request.filename, refusal)
            return refusal
        device, link = match.device, _served_link(match.device, request)
        rendered = self._files.get(device, link, match.filename)
        render_seconds = None
        if rendered is None:
            render_started = time.perf_counter()
            rendered = self._render(match, link)
            render_seconds = time.perf_counter() - render_started
            self._files.put(device, link, match.filename, rendered)
        if not request.probe:
            self._recorder.record(device.key, self._record(match, request, identity))
        self._keep_event(device, request, match.filename)
        served = PhoneFetch(
            address=request.client_ip,
            outcome=FetchOutcome.SERVED,
            seconds=time.perf_counter() - started,
            link=request.link,
            filename=match.filename,
            vendor=device.vendor,
            model=device.model,
            kind=match.requested.kind,
            device_mac=device.mac,
            probe=request.probe,
            render_seconds=render_seconds,
        )
        self._observe(served)
        return rendered

    def _keep_event(
        self,
        device: Device,
        request: ProvisioningRequest,
        filename: str | None,
        refusal: Refusal | None = None,
    ) -> None:
        if self._events is None or request.probe:
            return
        event = ProvisioningEvent(
            at=self._clock.now(),
            mac=device.mac,
            group=device.token,
            address=request.client_ip,
            user_agent=_user_agent(request),
            filename=filename,
            refusal=refusal.kind if refusal else None,
            reason=refusal.reason if refusal else "",
        )
        self._events.append(event)

    def _observe(self, fetch: PhoneFetch) -> None:
        self._fetch_log.fetched(fetch)
        if self._observer is not None:
            self._observer.fetched(fetch)

    async def preview(
        self, key_or_mac: str, filename: str | None, link_base: str, scope: Scope = EVERY_DEVICE
    ) -> RenderedFile | None:
        """What the phone would get on its personal link, rules not applied and never encrypted
        (a device with config encryption gets it encrypted); None without such a device in `scope`."""
        async with self._uow_factory() as uow:
            device = await uow.devices.get(key_or_mac) if is_secret(key_or_mac) else None
            mac = parse_mac(key_or_mac)
            if device is None and mac is not None:
                device = await uow.devices.get_by_mac(mac)
        if device is None or not scope.sees(device):
            return None
        try:
            _check_filename_length(filename)
            match = _match_file(device, filename)
        except _Refused as refusal:
            raise ValidationFailed([FieldError("filename", refusal.reason)]) from None
        link = f"{link_base}/v1/device/{device.key}"
        return self._render(match, link, plain=True)

    def _render(self, match: _Match, link: str, *, plain: bool = False) -> RenderedFile:
        """The file, rendered in the clock's year (`plain`: never encrypted); a zone the phone gets
        only approximately is logged once per device and zone."""
        device, year = match.device, self._clock.now().year
        if device.timezone:
            self._dst_logged((device.key, device.vendor, device.timezone, year))
        request = RenderRequest(device, match.requested, match.filename, link, year)
        vendor = VENDORS[device.vendor]
        return (vendor.render_plain if plain else vendor.render)(request, self._engine)

    @staticmethod
    def _log_dst_approximation(seen: tuple[str, str, str, int]) -> None:
        key, vendor, zone, year = seen
        reason = approximation(vendor, zone, year)
        if reason is not None:
            log.warning(
                "daylight saving of %s is written approximately for %s phones (device key %s): %s; "
                "the rule written is right in %d and %d where one can be, else the nearest",
                zone,
                VENDORS[vendor].name,
                fingerprint(key),
                reason,
                year,
                year + 1,
            )

    async def _decide(self, request: ProvisioningRequest, identity: PhoneIdentity | None) -> _Match:
        """The device and the file the request asks for; raises _Refused."""
        _check_filename_length(request.filename)
        device = await self._find(request, identity)
        try:
            if device.needs_credentials:
                self._authenticate(device, request)
            match = _match_file(device, request.filename)
            self._check(match, request, identity)
            await self._hold_to_first_address(device, request)
        except _Refused as refused:
            refused.device = device
            raise
        return match

    def _authenticate(self, device: Device, request: ProvisioningRequest) -> None:
        """Checked on every request, whether the device and its file come from memory or not."""
        failure = self._authenticator.check(
            device, request.authorization, request.method, request.request_uris
        )
        if failure is not None:
            kind = RefusalKind.NO_CREDENTIALS if failure.quiet else RefusalKind.CREDENTIALS
            raise _Refused(kind, failure.reason, failure.quiet, failure.challenge, counts=not failure.quiet)

    async def _find(self, request: ProvisioningRequest, identity: PhoneIdentity | None) -> Device:
        # Keys and tokens are named in the log only by their fingerprint.
        if request.link is LinkKind.PERSONAL:
            device = await self._by_key(request.secret) if is_secret(request.secret) else None
            if device is None:
                raise _Refused(
                    RefusalKind.UNKNOWN_KEY, f"unknown key {fingerprint(request.secret)}", counts=True
                )
        else:
            mac = self._mac_in_filename(request.filename or "") or (identity.mac if identity else None)
            if mac is None:
                raise _Refused(RefusalKind.NO_MAC, "no MAC in the file name or the User-Agent")
            # One lookup by both: an unknown MAC and a wrong token take the same time.
            device = (
                await self._devices.by_mac_and_token(mac, request.secret)
                if is_secret(request.secret)
                else None
            )
            if device is None:
                self._notice_unknown(request, identity, mac)
                raise _Refused(
                    RefusalKind.UNKNOWN_MAC,
                    f"no device with MAC {mac} under token {fingerprint(request.secret)}",
                    counts=True,
                )
        return device

    def _notice_unknown(self, request: ProvisioningRequest, identity: PhoneIdentity | None, mac: str) -> None:
        """A phone that says who it is (its User-Agent, else its MAC's range), on a well-formed token:
        noted for unknownPhones, in memory; only written where some device has the token and none
        the MAC. A probe (HEAD) is no phone's fetch."""
        if self._unknown_phones is None or request.probe or not is_secret(request.secret):
            return
        vendor = identity.vendor if identity else vendor_of_mac(mac)
        if vendor is None:
            return
        now = self._clock.now()
        self._unknown_phones.noticed(
            UnknownPhone(
                token=request.secret,
                mac=mac,
                vendor=vendor,
                model=cut(identity.model) if identity else None,
                firmware=cut(identity.firmware) if identity else None,
                address=request.client_ip,
                first_seen=now,
                last_seen=now,
            )
        )

    async def _by_key(self, key: str) -> Device | None:
        """The device with this key, or the one a rotation took it from, while its grace lasts."""
        device = await self._devices.by_key(key)
        if device is not None:
            return device
        previous = await self._devices.by_previous_key(key)
        if previous is not None and self._clock.now() >= previous.until:
            raise _Refused(
                RefusalKind.ROTATED_KEY,
                f"key {fingerprint(key)} was rotated away; its grace ended at {previous.until.isoformat()}",
                counts=True,
                device=previous.device,
            )
        return previous.device if previous else None

    async def _hold_to_first_address(self, device: Device, request: ProvisioningRequest) -> None:
        """The address lock, checked last: only a fetch every other rule allows takes it. A probe is
        checked against it but does not take it."""
        if not device.rules.lock_to_first_address:
            return
        locked = device.locked_address
        if locked is None and not request.probe:
            # Held devices may predate the lock: the database says who came first, across processes.
            locked = await self._locks.lock(device.key, request.client_ip)
            if locked is None:
                raise _Refused(
                    RefusalKind.LOCKED, f"device {device.mac} was deleted or rotated while its lock was taken"
                )
        if locked is not None and locked != request.client_ip:
            raise _Refused(
                RefusalKind.LOCKED,
                f"device {device.mac} is locked to {locked}, the address of its first fetch",
            )

    def _record(
        self, match: _Match, request: ProvisioningRequest, identity: PhoneIdentity | None
    ) -> ProvisioningRecord:
        return ProvisioningRecord(
            at=self._clock.now(),
            ip=request.client_ip,
            user_agent=_user_agent(request),
            filename=match.filename,
            vendor=identity.vendor if identity else None,
            model=identity.model if identity else None,
            firmware=identity.firmware if identity else None,
            link=request.link,
            previous_key=_by_previous_key(match.device, request),
        )

    def _check(self, match: _Match, request: ProvisioningRequest, identity: PhoneIdentity | None) -> None:
        device, rules = match.device, match.device.rules
        if identity is not None and identity.vendor != device.vendor:
            raise _Refused(
                RefusalKind.WRONG_VENDOR,
                f"a {identity.vendor} User-Agent asked for {device.vendor} device {device.mac}",
            )
        shown_mac = identity.mac if identity else None
        if shown_mac and match.requested.mac and shown_mac != match.requested.mac:
            raise _Refused(
                RefusalKind.WRONG_MAC, f"User-Agent MAC {shown_mac} differs from the file name's", counts=True
            )
        if not device.status:
            raise _Refused(RefusalKind.DISABLED, f"provisioning of device {device.mac} is disabled")
        now = self._clock.now()
        if rules.expires_at is not None and now >= rules.expires_at:
            raise _Refused(
                RefusalKind.EXPIRED, f"device {device.mac} expired at {rules.expires_at.isoformat()}"
            )
        window = rules.publish_window_minutes
        window = self._publish_window_minutes if window is None else window
        if window and device.updated_at is not None:
            closed = device.updated_at + timedelta(minutes=window)
            if now >= closed:
                raise _Refused(
                    RefusalKind.WINDOW,
                    f"the publish window of device {device.mac} closed at {closed.isoformat()}",
                )
        if rules.allowed_ips and not _address_allowed(request.client_ip, rules.allowed_ips):
            raise _Refused(RefusalKind.ADDRESS, f"address not allowed for device {device.mac}")
        if request.link is LinkKind.PERSONAL and rules.check_mac:
            phone_mac = match.requested.mac or shown_mac
            if phone_mac != device.mac:
                raise _Refused(
                    RefusalKind.WRONG_MAC,
                    f"MAC check failed for device {device.mac}: the phone shows {phone_mac}",
                    counts=True,
                )


def _refused_fetch(
    request: ProvisioningRequest, identity: PhoneIdentity | None, refusal: Refusal, seconds: float
) -> PhoneFetch:
    return PhoneFetch(
        address=request.client_ip,
        outcome=FetchOutcome.REFUSED,
        seconds=seconds,
        link=request.link,
        filename=request.filename,
        vendor=identity.vendor if identity else None,
        model=identity.model if identity else None,
        refusal=refusal.kind,
        reason=refusal.reason,
        quiet=refusal.quiet,
        user_agent=request.user_agent,
        probe=request.probe,
    )


def _user_agent(request: ProvisioningRequest) -> str | None:
    """As much of the User-Agent as is read."""
    return request.user_agent[:MAX_USER_AGENT] if request.user_agent else request.user_agent


def _by_previous_key(device: Device, request: ProvisioningRequest) -> bool:
    """Whether a personal link named the device by a key a rotation took from it."""
    return request.link is LinkKind.PERSONAL and request.secret != device.key


def _served_link(device: Device, request: ProvisioningRequest) -> str:
    """The link the file points the phone at: the one it used, but on a previous key the device's
    current one, so that the phone moves to it on its own."""
    if _by_previous_key(device, request) and request.link_url.endswith(request.secret):
        return request.link_url.removesuffix(request.secret) + device.key
    return request.link_url


def _check_filename_length(filename: str | None) -> None:
    if filename is not None and len(filename) > MAX_FILENAME:
        raise _Refused(
            RefusalKind.FILENAME_TOO_LONG,
            f"a file name of {len(filename)} characters; no phone asks for one over {MAX_FILENAME}",
        )


def _match_file(device: Device, filename: str | None) -> _Match:
    """The file of this device a file name asks for; no name means the device config."""
    vendor = VENDORS[device.vendor]
    if filename is None:
        return _Match(device, RequestedFile(FileKind.DEVICE_CONFIG), vendor.device_filename(device))
    requested = vendor.identify_file(filename)
    if requested is None:
        raise _Refused(RefusalKind.UNKNOWN_FILE, f"{vendor.name} phones do not request this file name")
    if requested.kind is FileKind.NOT_SERVED:
        raise _Refused(RefusalKind.NOT_SERVED, f"{quoted(filename)} is not served", quiet=True)
    if requested.mac is not None and requested.mac != device.mac:
        raise _Refused(
            RefusalKind.WRONG_MAC,
            f"file name names MAC {requested.mac}, not the device's {device.mac}",
            counts=True,
        )
    if not vendor.serves(device, requested):
        raise _Refused(
            RefusalKind.UNKNOWN_FILE, f"{quoted(filename)} is not a file of the device's model {device.model}"
        )
    if requested.kind is FileKind.FIRMWARE and device.firmware_url is None:
        raise _Refused(
            RefusalKind.NOT_SERVED,
            f"{quoted(filename)} is not served: device {device.mac} has no firmware URL",
            quiet=True,
        )
    return _Match(device, requested, filename)


def _address_allowed(
    client_ip: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
) -> bool:
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)

"""A loopback SMTP server for floe-alert-email's tests, built on aiosmtpd.

Run as: python -c "<this file>" PORT INBOX [--starttls DIR]

- Every accepted message is saved as INBOX/NNNN.json: the envelope (MAIL FROM, RCPT TO),
  whether the client authenticated and as whom, and the message parsed by Python's own
  MIME parser (headers and each part's content type and decoded text).
- SMTP_USER and SMTP_PASSWORD in the environment make AUTH (PLAIN, LOGIN) required, with
  those credentials; without STARTTLS, AUTH over plain text is allowed (loopback only).
- Recipients at @rejected.invalid get a permanent 550, at @busy.invalid a transient 451.
- SMTP_BUSY=1 answers EHLO with a transient 421 (a server that is up but defers work).
- SMTP_ECHO_AUTH=1 makes a failed AUTH quote the login and password it received in its
  535 reply, as careless servers do.
- SMTP_RELAY_URL=<url> makes the server a relay whose smarthost refuses its login: every
  message is rejected at DATA with a 554 quoting that URL, user info included, as careless
  relays do (a credential the client never sent).
- With --starttls DIR, a self-signed certificate for 127.0.0.1 and localhost is generated
  into DIR/cert.pem and STARTTLS is required before MAIL.
"""

import asyncio
import datetime
import email
import email.policy
import ipaddress
import json
import os
import ssl
import sys
from pathlib import Path

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class SaveToInbox:
    def __init__(self, inbox, busy=False, relay_url=None):
        self.inbox = Path(inbox)
        self.inbox.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.busy = busy
        self.relay_url = relay_url

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if self.busy:
            return ["421 4.3.2 Too busy now, try again later"]
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@rejected.invalid"):
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        if address.endswith("@busy.invalid"):
            return "451 4.3.0 <%s>: mailbox busy, try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.relay_url:
            return "554 5.7.0 cannot relay through %s: smarthost authentication failed" % self.relay_url
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        parts = [
            {"content_type": part.get_content_type(), "text": part.get_content().replace("\r\n", "\n")}
            for part in message.walk()
            if not part.is_multipart()
        ]
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "authenticated_as": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            "tls": session.ssl is not None,
            "headers": {key.lower(): str(value) for key, value in message.items()},
            "content_type": message.get_content_type(),
            "parts": parts,
        }
        self.count += 1
        final = self.inbox / ("%04d.json" % self.count)
        partial = final.with_suffix(".partial")
        partial.write_text(json.dumps(record))
        partial.rename(final)
        return "250 2.0.0 Message accepted for delivery"


def authenticator(user, password, echo):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        message = None
        if not ok and echo and isinstance(auth_data, LoginPassword):
            message = "535 5.7.8 %s: no account %s with password %s" % (
                mechanism,
                auth_data.login.decode(),
                auth_data.password.decode(),
            )
        # handled=False: aiosmtpd answers 535 (or the message) itself on a failure.
        return AuthResult(success=ok, handled=False, message=message, auth_data=auth_data)

    return check


def self_signed(directory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "floe-test-smtp")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (directory / "cert.partial").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(directory / "cert.partial", directory / "key.pem")
    (directory / "cert.partial").rename(directory / "cert.pem")
    return context


def main():
    port, inbox = int(sys.argv[1]), sys.argv[2]
    tls_context = None
    if len(sys.argv) > 4 and sys.argv[3] == "--starttls":
        tls_context = self_signed(sys.argv[4])
    user, password = os.environ.get("SMTP_USER"), os.environ.get("SMTP_PASSWORD")
    handler = SaveToInbox(
        inbox, busy=os.environ.get("SMTP_BUSY") == "1", relay_url=os.environ.get("SMTP_RELAY_URL")
    )
    echo = os.environ.get("SMTP_ECHO_AUTH") == "1"

    def factory():
        return SMTP(
            handler,
            hostname="floe-test-smtp",
            tls_context=tls_context,
            require_starttls=tls_context is not None,
            authenticator=authenticator(user, password, echo) if user else None,
            auth_required=bool(user),
            auth_require_tls=tls_context is not None,
        )

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(loop.create_server(factory, "127.0.0.1", port))
    print("listening on 127.0.0.1:%d" % port, flush=True)
    loop.run_forever()


main()

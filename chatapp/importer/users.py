"""LibreChat's `users`: accounts with their password hashes, sign-in identities and 2FA.

A user whose e-mail is already in Parley is merged only with --merge-existing
(their Parley password and settings stay); otherwise they and everything they
own are skipped and reported. Imported ids are recorded (ImportedRecord) so
later collections, and later runs, find each user's Parley account.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.hashers import from_librechat
from accounts.models import User
from chatapp.importer import ciphers
from chatapp.importer.run import Run
from chatapp.importer.values import Unreadable, source_id, text, when
from chatapp.models import ImportedRecord

COLLECTION = "users"
# LibreChat's id fields → the allauth provider that signs the same person in.
SOCIAL = {
    "googleId": "google",
    "githubId": "github",
    "discordId": "discord",
    "facebookId": "facebook",
    "appleId": "apple",
    "openidId": "openid",
}
PROVIDERS = set(User.Provider.values)


def load(run: Run) -> None:
    done = run.done(COLLECTION)
    run.users.update({source: int(target) for source, target in done.items() if target})
    for batch in run.batches(COLLECTION):
        fresh = [doc for doc in batch if str(doc.get("_id")) not in done]
        run.report.earlier(COLLECTION, len(batch) - len(fresh))
        _batch(run, fresh)


def _batch(run: Run, documents: list[dict]) -> None:
    emails = {str(doc.get("email", "")).strip().lower() for doc in documents}
    existing = {u.email: u for u in User.objects.filter(email__in=emails)}
    new: list[tuple[str, User, dict]] = []
    merged: list[tuple[str, User, dict]] = []
    for document in documents:
        try:
            source, user = source_id(document), _user(document)
        except Unreadable as error:
            run.unreadable(COLLECTION, document, error)
            continue
        expires = when(document, "expiresAt")
        if expires and expires < timezone.now():
            run.report.skip(COLLECTION, "unverified account past its expiry", user.email)
        elif user.email in existing and not run.options.merge_existing:
            run.report.skip(
                COLLECTION, "e-mail already in Parley (see --merge-existing)", user.email
            )
        elif user.email in existing:
            merged.append((source, existing[user.email], document))
        else:
            existing[user.email] = user  # a duplicate later in the dump is then "already in"
            new.append((source, user, document))
    run.write(lambda: _save(run, new, merged))
    for source, user, _document in new + merged:
        run.users[source] = user.pk if user.pk else -len(run.users) - 1  # dry run: a stand-in
    run.report.imported(COLLECTION, len(new))
    if merged:
        run.report.imported(COLLECTION + " (merged into Parley accounts)", len(merged))


def _user(document: dict) -> User:
    email = text(document, "email").strip().lower()
    if "@" not in email:
        raise Unreadable("email", "missing or not an address")
    role = User.Role.ADMIN if text(document, "role").upper() == "ADMIN" else User.Role.USER
    avatar = text(document, "avatar")
    provider = text(document, "provider", default="local")
    return User(
        email=email,
        username=text(document, "username", 150),
        name=text(document, "name", 150),
        avatar=avatar[:500] if avatar.startswith(("https://", "http://")) else "",
        role=role,
        is_staff=role == User.Role.ADMIN,
        is_superuser=role == User.Role.ADMIN,
        provider=provider if provider in PROVIDERS else User.Provider.LOCAL,
        email_verified=bool(document.get("emailVerified")),
        terms_accepted=bool(document.get("termsAccepted")),
        ldap_id=text(document, "ldapId", 255),
        password=from_librechat(document.get("password")) or make_password(None),
        date_joined=when(document, "createdAt", timezone.now()),
    )


def _save(run: Run, new: list[tuple[str, User, dict]], merged: list[tuple[str, User, dict]]):
    _drop_held_ldap_ids([user for _source, user, _document in new])
    User.objects.bulk_create([user for _source, user, _document in new])
    ImportedRecord.objects.bulk_create(
        [
            ImportedRecord(collection=COLLECTION, source_id=source, target_id=str(user.pk))
            for source, user, _document in new + merged
        ]
    )
    for _source, user, document in new + merged:
        _identities(run, user, document)
        _two_factor(run, user, document)


def _drop_held_ldap_ids(users: list[User]) -> None:
    """A directory entry has one account (ldap_id is unique): an LDAP id that an account or
    an earlier user of the batch holds is left off here, and `_identities` reports it."""
    wanted = {user.ldap_id for user in users if user.ldap_id}
    held = set(User.objects.filter(ldap_id__in=wanted).values_list("ldap_id", flat=True))
    for user in users:
        if user.ldap_id in held:
            user.ldap_id = ""
        elif user.ldap_id:
            held.add(user.ldap_id)


def _identities(run: Run, user: User, document: dict) -> None:
    """Social ids as allauth accounts; an id another Parley account holds is reported."""
    for field, provider in SOCIAL.items():
        uid = document.get(field)
        if not isinstance(uid, str) or not uid:
            continue
        holder = SocialAccount.objects.filter(provider=provider, uid=uid).first()
        if holder is None:
            SocialAccount.objects.create(user=user, provider=provider, uid=uid)
        elif holder.user_id != user.pk:
            run.report.skip("identities", f"{provider} id held by another account", user.email)
            continue
        run.report.imported("identities")
    if document.get("samlId"):
        run.report.skip("identities", "SAML is not supported by Parley", user.email)
    ldap_id = str(document.get("ldapId") or "")[:255]
    if ldap_id and user.ldap_id != ldap_id:
        if User.objects.filter(ldap_id=ldap_id).exclude(pk=user.pk).exists():
            run.report.skip("identities", "LDAP id held by another account", user.email)
        elif not user.ldap_id:
            User.objects.filter(pk=user.pk).update(ldap_id=ldap_id)


def _two_factor(run: Run, user: User, document: dict) -> None:
    """The TOTP secret re-sealed by allauth; one that cannot be decrypted flags the user to
    enrol again at sign-in (accounts.enrolment): their account was protected by a second
    factor, and it must not open with the password alone."""
    secret = document.get("totpSecret")
    if not document.get("twoFactorEnabled") or not isinstance(secret, str) or not secret:
        return
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        return
    try:
        TOTP.activate(user, ciphers.decrypt_totp_secret(secret, run.options.creds_key))
    except ciphers.Undecryptable as error:
        User.objects.filter(pk=user.pk).update(must_enrol_totp=True)
        reason = f"secret unreadable ({error}): flagged to enrol again"
        run.report.skip("two-factor", reason, user.email)
        return
    run.report.imported("two-factor")

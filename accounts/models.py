"""Parley's user: signs in by e-mail; role and provider as in LibreChat."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.crypto import salted_hmac


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self._create(email, password, **fields)


class User(AbstractUser):
    class Role(models.TextChoices):
        USER = "user", "User"
        ADMIN = "admin", "Admin"

    class Provider(models.TextChoices):
        LOCAL = "local", "E-mail and password"
        GITHUB = "github", "GitHub"
        GOOGLE = "google", "Google"
        DISCORD = "discord", "Discord"
        FACEBOOK = "facebook", "Facebook"
        APPLE = "apple", "Apple"
        OPENID = "openid", "OpenID Connect"
        LDAP = "ldap", "LDAP"

    email = models.EmailField("e-mail address", unique=True)
    username = models.CharField(max_length=150, blank=True)
    name = models.CharField(max_length=150, blank=True)
    avatar = models.URLField(max_length=500, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.USER)
    provider = models.CharField(max_length=16, choices=Provider.choices, default=Provider.LOCAL)
    email_verified = models.BooleanField(default=False)
    terms_accepted = models.BooleanField(default=False)
    # Personal instructions: the system prompt of every new chat whose spec or preset
    # sets none (chatapp.instructions).
    instructions = models.TextField(blank=True)
    ldap_id = models.CharField("LDAP id", max_length=255, blank=True)
    # Set by import_librechat for a LibreChat user whose TOTP secret could not be
    # decrypted: they are held on the enrolment page until they set 2FA up again
    # (accounts.enrolment), which clears it.
    must_enrol_totp = models.BooleanField(
        "must set up two-factor authentication",
        default=False,
        help_text="Imported with a two-factor secret that could not be read: the user is "
        "sent to set up an authenticator app at sign-in. Cleared once they have.",
    )
    # Bumped by "sign out everywhere": it is part of the session hash, so every
    # session signed with the old value stops being valid.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    first_name = None  # LibreChat keeps one display name
    last_name = None

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            # A directory entry has one account; returning LDAP users are found by it.
            models.UniqueConstraint(
                fields=["ldap_id"], condition=~models.Q(ldap_id=""), name="user_ldap_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs) -> None:
        # The role is the one source of truth for admin rights, including the admin site.
        self.is_staff = self.is_superuser = self.role == self.Role.ADMIN
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        salt = "accounts.User.get_session_auth_hash"
        value = f"{self.password}:{self.session_generation}"
        return salted_hmac(salt, value, secret=secret, algorithm="sha256").hexdigest()

    def get_full_name(self) -> str:
        return self.name or self.username or self.email

    def get_short_name(self) -> str:
        return self.name or self.email.split("@")[0]

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


# --- guards: violations, bans, balance (accounts/bans.py, balance.py) ------


class Violation(models.Model):
    """One scored offence, kept even when bans are off (LibreChat's violation log)."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE)
    ip = models.GenericIPAddressField(null=True, blank=True)
    kind = models.CharField(max_length=32)  # a key of settings.VIOLATION_SCORES
    score = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["ip", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} ({self.score}) by {self.user or self.ip}"


class Ban(models.Model):
    """A user or an IP refused until `ends_at`; lifting sets `ends_at` to now."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    ends_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(ip__isnull=False),
                name="ban_has_user_or_ip",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user or self.ip} until {self.ends_at:%Y-%m-%d %H:%M} UTC"


CREDITS = {"max_digits": 24, "decimal_places": 6}  # 1 credit = $0.000001; rates go to 1e-6


class Balance(models.Model):
    """A user's credits (tokens × USD per million tokens)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="balance")
    credits = models.DecimalField(**CREDITS)
    last_refill = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.credits.normalize():f} credits"


class Transaction(models.Model):
    """One change of a balance: tokens of one kind at one rate, or credits added."""

    class Kind(models.TextChoices):
        PROMPT = "prompt", "Prompt tokens"
        COMPLETION = "completion", "Completion tokens"
        CACHE_READ = "cache_read", "Cache-read tokens"
        CACHE_WRITE = "cache_write", "Cache-write tokens"
        CREDIT = "credit", "Credits added"
        REFILL = "refill", "Automatic refill"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="transactions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    context = models.CharField(max_length=32, blank=True)  # message, title, incomplete, admin…
    endpoint = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=200, blank=True)
    conversation_id = models.CharField(max_length=64, blank=True, db_index=True)
    message_id = models.CharField(max_length=64, blank=True)
    # The personal API key the request came through (accounts.apikeys); null in the UI.
    api_key = models.ForeignKey(
        "ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="transactions"
    )
    tokens = models.IntegerField(default=0)  # negative when spent
    rate = models.DecimalField(default=0, **CREDITS)  # USD per million tokens
    credits = models.DecimalField(**CREDITS)  # tokens × rate; positive when added
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.credits.normalize():f} for {self.user}"


class ApiKey(models.Model):
    """A personal key for the `/v1` API (accounts.apikeys): stored as its SHA-256 digest,
    shown once; it carries its user's role, bans, limits and balance."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, editable=False)  # the start shown to tell keys apart
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # Model ids it may use (`endpoint/model` or a bare model name); empty: every model.
    allowed_models = models.JSONField("model allow-list", default=list, blank=True)
    # Client addresses or networks (CIDR) it may be used from; empty: anywhere.
    allowed_ips = models.JSONField("IP allow-list", default=list, blank=True)
    keep_conversations = models.BooleanField(
        default=False, help_text="Save the requests made with it as conversations."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name or self.prefix}… ({self.user})"

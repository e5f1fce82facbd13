"""Parley's user: signs in by e-mail; role and provider as in LibreChat."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models


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

    first_name = None  # LibreChat keeps one display name
    last_name = None

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.name or self.username or self.email

    def get_short_name(self) -> str:
        return self.name or self.email.split("@")[0]

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

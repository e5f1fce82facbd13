from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "name",
        "role",
        "provider",
        "email_verified",
        "is_active",
        "date_joined",
    ]
    list_filter = ["role", "provider", "email_verified", "is_active", "is_staff"]
    search_fields = ["email", "name", "username"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "username", "avatar", "provider"]}),
        ("Access", {"fields": ["role", "is_active", "is_staff", "is_superuser", "groups"]}),
        ("State", {"fields": ["email_verified", "terms_accepted", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

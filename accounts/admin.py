from allauth.account.decorators import secure_admin_login
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from accounts import apikeys, balance, bans, dashboard
from accounts.models import ApiKey, Balance, Ban, Transaction, User, Violation

# The admin site signs in through allauth's pages, so two-factor authentication applies.
admin.site.login = secure_admin_login(admin.site.login)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users by e-mail; the role alone grants admin rights (User.save keeps is_staff in step)."""

    ordering = ["email"]
    list_display = [
        "email",
        "name",
        "role",
        "provider",
        "email_verified",
        "must_enrol_totp",
        "is_active",
        "banned_until",
        "credits",
        "last_login",
        "date_joined",
    ]
    list_filter = ["role", "provider", "email_verified", "must_enrol_totp", "is_active"]
    search_fields = ["email", "name", "username", "ldap_id"]
    # must_enrol_totp only clears by enrolling: set by hand on a user who has an authenticator
    # app, it would send them to a set-up page that allauth refuses them.
    readonly_fields = ["provider", "ldap_id", "must_enrol_totp", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "username", "avatar"]}),
        ("Access", {"fields": ["role", "is_active"]}),
        (
            "State",
            {
                "fields": [
                    "provider",
                    "ldap_id",
                    "email_verified",
                    "must_enrol_totp",
                    "terms_accepted",
                    "last_login",
                    "date_joined",
                ]
            },
        ),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]})
    ]
    filter_horizontal: list[str] = []

    def get_queryset(self, request: HttpRequest):
        active = Q(ban__ends_at__gt=timezone.now())
        users = super().get_queryset(request).select_related("balance")
        return users.annotate(ban_ends_at=Max("ban__ends_at", filter=active))

    @admin.display(description="Banned until", ordering="ban_ends_at")
    def banned_until(self, user: User) -> str:
        ends = getattr(user, "ban_ends_at", None)
        return f"{ends:%Y-%m-%d %H:%M} UTC" if ends else "—"

    @admin.display(description="Credits")
    def credits(self, user: User) -> str:
        row = getattr(user, "balance", None)
        return f"{row.credits.normalize():f}" if row else "—"


# --- guards: violations, bans, balances, transactions ----------------------


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "score", "user", "ip"]
    list_filter = ["kind"]
    search_fields = ["user__email", "ip"]
    readonly_fields = ["created_at", "kind", "score", "user", "ip"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ActiveFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("ended", "Ended")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(ends_at__gt=now)
        if self.value() == "ended":
            return queryset.filter(ends_at__lte=now)
        return queryset


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    list_display = ["user", "ip", "reason", "created_at", "ends_at", "active"]
    list_filter = [ActiveFilter]
    search_fields = ["user__email", "ip", "reason"]
    autocomplete_fields = ["user"]
    actions = ["lift_bans"]

    @admin.display(boolean=True)
    def active(self, ban: Ban) -> bool:
        return ban.ends_at > timezone.now()

    @admin.action(description="Lift the selected bans (and their users' other bans)")
    def lift_bans(self, request: HttpRequest, queryset) -> None:
        lifted = sum(bans.lift(ban) for ban in queryset)
        self.message_user(request, f"Lifted {lifted} ban(s).", messages.SUCCESS)


class BalanceForm(forms.ModelForm):
    add = forms.DecimalField(
        required=False, label="Add credits", help_text="1000 credits = $0.001; negative removes"
    )

    class Meta:
        model = Balance
        fields = ["user"]


@admin.register(Balance)
class BalanceAdmin(admin.ModelAdmin):
    """Balances change through transactions only, so every top-up stays on record."""

    form = BalanceForm
    list_display = ["user", "credits", "last_refill", "updated_at"]
    search_fields = ["user__email"]
    autocomplete_fields = ["user"]
    readonly_fields = ["credits", "last_refill", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "user"] if obj else self.readonly_fields

    def save_model(self, request, obj: Balance, form, change: bool) -> None:
        row = balance.get_balance(obj.user, balance.policy_or_default())
        if form.cleaned_data.get("add"):
            balance.add_credits(obj.user, form.cleaned_data["add"], context="admin")
        row.refresh_from_db()
        obj.pk, obj.credits, obj.last_refill = row.pk, row.credits, row.last_refill


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "context", "model", "tokens", "rate", "credits"]
    list_filter = ["kind", "context", "endpoint", ("api_key", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "model", "conversation_id"]
    readonly_fields = [f.name for f in Transaction._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Personal API keys: seen and revoked here, made by their owner (or create_api_key)."""

    list_display = [
        "prefix", "name", "user", "created_at", "expires_at", "last_used_at", "revoked_at",
    ]  # fmt: skip
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "keep_conversations"]
    search_fields = ["user__email", "name", "prefix"]
    readonly_fields = [f.name for f in ApiKey._meta.fields if f.name != "id"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description="Revoke the selected API keys")
    def revoke(self, request: HttpRequest, queryset) -> None:
        revoked = apikeys.revoke_keys(queryset)
        self.message_user(request, f"Revoked {revoked} API key(s).", messages.SUCCESS)


def usage_dashboard(request: HttpRequest) -> HttpResponse:
    """Requests, tokens and cost per day by user, model, endpoint or key, from the
    transactions; the top users and models; `?format=csv` exports the table."""
    figures = dashboard.context(request)
    if request.GET.get("format") == "csv":
        return dashboard.csv_response(figures["rows"], figures["by"], "usage.csv")
    context = {**admin.site.each_context(request), "title": "Usage", **figures}
    return TemplateResponse(request, "admin/usage.html", context)

"""Token credits: LibreChat's balance, transactions and auto-refill.

Units as in LibreChat: rates are USD per million tokens and
credits = tokens × rate, so 1,000,000 credits = $1 and 1000 credits = $0.001.

- `policy()` is the `balance` block of librechat.yaml, with CHECK_BALANCE and
  START_BALANCE as the .env fallback for the keys the block leaves out.
- `check(user, prompt_tokens, rates)` is the pre-flight: it refuses (raises
  `InsufficientBalance`) when the estimated prompt cost exceeds the balance,
  after any auto-refill that is due.
- `charge(user, usage, rates, ...)` writes one `Transaction` per kind of token
  a response used and takes the credits off the balance (never below zero). It
  never credits: a count that is no whole number of at least zero, or a negative
  rate, raises ValueError before anything is written (the adapters already
  replace such usage with a local count; this is the last line).
- `add_credits(user, credits)` tops a balance up (the admin and `add_balance`).
Transactions are written whether or not balances are enabled, so costs are
always on record; the balance itself only moves when they are.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.models import Balance, Transaction, User
from chatapp.conf import rows

log = logging.getLogger(__name__)
MICRO = Decimal("0.000001")
UNITS = ("seconds", "minutes", "hours", "days", "weeks", "months")


class Rates(Protocol):
    """USD per million tokens (endpoints' TokenRate has this shape)."""

    prompt: float
    completion: float
    cache_read: float | None
    cache_write: float | None


class UsageLike(Protocol):
    """Token counts a provider reported (the adapters' `Usage`; prompt includes cached)."""

    prompt_tokens: int
    completion_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int


@dataclass(frozen=True)
class DefaultRates:
    """LibreChat's `defaultRate` for a model nobody priced."""

    prompt: float = 6
    completion: float = 6
    cache_read: float | None = None
    cache_write: float | None = None


@dataclass(frozen=True)
class Policy:
    enabled: bool = False
    start_balance: int = 20000
    auto_refill: bool = False
    refill_interval_value: int = 30
    refill_interval_unit: str = "days"
    refill_amount: int = 10000

    def next_refill(self, last: datetime) -> datetime:
        return add_interval(last, self.refill_interval_value, self.refill_interval_unit)


class InsufficientBalance(Exception):
    def __init__(self, balance: Decimal, cost: Decimal, prompt_tokens: int) -> None:
        super().__init__(
            f"Insufficient balance: this message needs about {cost.normalize():f} credits "
            f"for {prompt_tokens} prompt tokens and you have {balance.normalize():f}."
        )
        self.balance, self.cost, self.prompt_tokens = balance, cost, prompt_tokens


def merge_policy(block: Mapping[str, Any] | None, check: bool, start: int) -> Policy:
    """The yaml `balance` keys that are set, over CHECK_BALANCE / START_BALANCE."""
    block = block or {}
    return Policy(
        enabled=block.get("enabled", check),
        start_balance=block.get("startBalance", start),
        auto_refill=block.get("autoRefillEnabled", False),
        refill_interval_value=block.get("refillIntervalValue", 30),
        refill_interval_unit=block.get("refillIntervalUnit", "days"),
        refill_amount=block.get("refillAmount", 10000),
    )


def policy() -> Policy:
    """The running process's balance policy."""
    from endpoints import config

    file = config.current().file
    block = file.balance.model_dump(exclude_unset=True) if file and file.balance else None
    return merge_policy(block, settings.CHECK_BALANCE, settings.START_BALANCE)


def add_interval(start: datetime, value: int, unit: str) -> datetime:
    """`start` plus value × unit; months keep the day of the month where they can."""
    if unit != "months":
        return start + timedelta(**{unit: value})
    month_index = start.month - 1 + value
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def credits_for(tokens: int, rate: float) -> Decimal:
    return (Decimal(tokens) * Decimal(str(rate))).quantize(MICRO)


def get_balance(user: User, rules: Policy) -> Balance:
    """The user's balance row, created with the start balance on first use."""
    balance, _ = Balance.objects.get_or_create(
        user=user,
        defaults={"credits": Decimal(rules.start_balance), "last_refill": timezone.now()},
    )
    return balance


def _move(user: User, credits: Decimal) -> None:
    """Add `credits` (negative to spend) atomically; a balance never goes below zero."""
    Balance.objects.filter(user=user).update(credits=Greatest(F("credits") + credits, Decimal(0)))


def refill_if_due(user: User, rules: Policy, now: datetime | None = None) -> bool:
    """Apply the auto-refill when it is on and its interval has passed since the last."""
    now = now or timezone.now()
    if not (rules.enabled and rules.auto_refill and rules.refill_amount > 0):
        return False
    with transaction.atomic():
        balance = Balance.objects.select_for_update().get(pk=get_balance(user, rules).pk)
        if balance.last_refill and now < rules.next_refill(balance.last_refill):
            return False
        amount = Decimal(rules.refill_amount)
        Transaction.objects.create(user=user, kind="refill", context="autoRefill", credits=amount)
        _move(user, amount)
        Balance.objects.filter(pk=balance.pk).update(last_refill=now)
    return True


def check(user: User, prompt_tokens: int, rates: Rates | None, rules: Policy | None = None) -> None:
    """Refuse (InsufficientBalance) when the prompt's estimated cost exceeds the balance."""
    rules = rules or policy()
    if not rules.enabled:
        return
    cost = credits_for(prompt_tokens, (rates or DefaultRates()).prompt)
    balance = get_balance(user, rules).credits
    if balance - cost <= 0 and refill_if_due(user, rules):
        balance = get_balance(user, rules).credits
    if cost > balance:
        raise InsufficientBalance(balance, cost, prompt_tokens)


def charge(
    user: User,
    usage: UsageLike,
    rates: Rates | None,
    *,
    endpoint: str = "",
    model: str = "",
    conversation_id: str = "",
    message_id: str = "",
    context: str = "message",
    rules: Policy | None = None,
    api_key_id: Any = None,
) -> list[Transaction]:
    """Record what a response used, one transaction per token kind; spend it when enabled.

    Cached prompt tokens are billed at the cache rates, the rest at the prompt rate.
    """
    rules = rules or policy()
    spent = _spent(usage, rates or DefaultRates())
    common = {
        "user": user,
        "context": context,
        "endpoint": endpoint,
        "model": model,
        "conversation_id": str(conversation_id),
        "message_id": str(message_id),
        "api_key_id": api_key_id,
    }
    entries = [
        Transaction(kind=kind, tokens=-n, rate=rate, credits=-credits_for(n, rate), **common)
        for kind, n, rate in spent
        if n
    ]
    if not (rules.enabled and entries):  # one INSERT, atomic by itself (every turn's)
        rows.insert(*entries)
        return entries
    with transaction.atomic():
        rows.insert(*entries)
        get_balance(user, rules)
        _move(user, sum((entry.credits for entry in entries), Decimal(0)))
    return entries


def cost_of(usage: UsageLike, rates: Rates | None) -> Decimal:
    """The credits `usage` will be charged (what `charge` takes, not yet taken)."""
    spent = _spent(usage, rates or DefaultRates())
    return sum((credits_for(n, rate) for _, n, rate in spent), Decimal(0))


def _spent(usage: UsageLike, rates: Rates) -> list[tuple[str, int, float]]:
    """(kind, tokens, rate) per kind of token; ValueError for anything that would credit."""
    figures = {
        "prompt": usage.prompt_tokens,
        "completion": usage.completion_tokens,
        "cache_read": usage.cache_read_tokens,
        "cache_write": usage.cache_write_tokens,
    }
    for kind, count in figures.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"{kind} tokens: {count!r:.40} is not a count; a charge never credits")
    read, write = figures["cache_read"], figures["cache_write"]
    spent = [
        ("prompt", max(0, figures["prompt"] - read - write), rates.prompt),
        ("completion", figures["completion"], rates.completion),
        ("cache_read", read, _or(rates.cache_read, rates.prompt)),
        ("cache_write", write, _or(rates.cache_write, rates.prompt)),
    ]
    for kind, _, rate in spent:
        if rate < 0:
            raise ValueError(f"{kind} rate: {rate} is negative; a charge never credits")
    return spent


def _or(rate: float | None, fallback: float) -> float:
    return fallback if rate is None else rate


def add_credits(user: User, credits: Decimal | int, context: str = "admin") -> Decimal:
    """Top up the user's balance; returns the new balance."""
    amount = Decimal(credits).quantize(MICRO)
    with transaction.atomic():
        get_balance(user, policy_or_default())
        Transaction.objects.create(user=user, kind="credit", context=context, credits=amount)
        _move(user, amount)
    return Balance.objects.get(user=user).credits


def policy_or_default() -> Policy:
    """The policy, or the .env one when librechat.yaml cannot be read (admin tools)."""
    try:
        return policy()
    except Exception as error:  # a broken config must not stop an admin topping up
        log.warning("balance policy from .env only: %s", error)
        return merge_policy(None, settings.CHECK_BALANCE, settings.START_BALANCE)

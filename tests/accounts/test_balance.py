"""Balance: the policy from yaml and .env, pre-flight, transactions to the credit, refills."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import balance
from accounts.balance import InsufficientBalance, Policy
from accounts.models import Balance, Transaction

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Rates:
    prompt: float
    completion: float
    cache_read: float | None = None
    cache_write: float | None = None


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


ON = Policy(enabled=True, start_balance=20000)
GPT4O = Rates(prompt=2.5, completion=10, cache_read=1.25, cache_write=3.125)


def test_policy_yaml_keys_win_over_env_fallback():
    assert balance.merge_policy(None, True, 500) == Policy(enabled=True, start_balance=500)
    assert balance.merge_policy({"startBalance": 7}, True, 500).start_balance == 7
    merged = balance.merge_policy(
        {"enabled": False, "autoRefillEnabled": True, "refillAmount": 5}, True, 500
    )
    assert (merged.enabled, merged.start_balance, merged.auto_refill) == (False, 500, True)
    assert merged.refill_amount == 5


def test_policy_reads_librechat_yaml(tmp_path, settings):
    from endpoints import config

    path = tmp_path / "librechat.yaml"
    path.write_text("version: 1.3.14\nbalance:\n  enabled: true\n  startBalance: 1234\n")
    settings.CONFIG_PATH, settings.CHECK_BALANCE = str(path), False
    config.current.cache_clear()
    try:
        assert balance.policy() == Policy(enabled=True, start_balance=1234)
    finally:
        config.current.cache_clear()


@pytest.mark.parametrize(
    ("start", "value", "unit", "expected"),
    [
        (datetime(2026, 1, 31, tzinfo=UTC), 1, "months", datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2026, 11, 15, tzinfo=UTC), 3, "months", datetime(2027, 2, 15, tzinfo=UTC)),
        (datetime(2026, 1, 1, tzinfo=UTC), 2, "weeks", datetime(2026, 1, 15, tzinfo=UTC)),
        (datetime(2026, 1, 1, tzinfo=UTC), 90, "seconds", datetime(2026, 1, 1, 0, 1, 30, 0, UTC)),
    ],
)
def test_refill_intervals(start, value, unit, expected):
    assert balance.add_interval(start, value, unit) == expected


def test_credits_are_tokens_times_usd_per_million():
    assert balance.credits_for(1000, 2.5) == Decimal("2500")
    assert balance.credits_for(7, 0.15) == Decimal("1.05")
    assert balance.credits_for(1_000_000, 1) == Decimal(1_000_000)  # = $1


def test_first_use_creates_the_start_balance(user):
    assert balance.get_balance(user, ON).credits == 20000


def test_preflight_refuses_a_prompt_that_costs_more_than_the_balance(user):
    balance.check(user, 8000, GPT4O, ON)  # 20000 credits: exactly enough
    with pytest.raises(InsufficientBalance) as refused:
        balance.check(user, 8001, GPT4O, ON)
    assert refused.value.cost == Decimal("20002.5") and refused.value.balance == 20000
    assert "8001 prompt tokens" in str(refused.value)


def test_preflight_is_skipped_when_balance_is_off(user):
    balance.check(user, 10**9, GPT4O, Policy(enabled=False))
    assert not Balance.objects.exists()


def test_charge_writes_one_transaction_per_token_kind_to_the_credit(user):
    usage = Usage(
        prompt_tokens=2064, completion_tokens=345, cache_read_tokens=800, cache_write_tokens=64
    )
    rows = balance.charge(
        user, usage, GPT4O, endpoint="openAI", model="gpt-4o", conversation_id="c1", rules=ON
    )
    by_kind = {row.kind: (row.tokens, row.rate, row.credits) for row in Transaction.objects.all()}
    assert by_kind == {
        "prompt": (-1200, Decimal("2.5"), Decimal("-3000")),
        "completion": (-345, Decimal("10"), Decimal("-3450")),
        "cache_read": (-800, Decimal("1.25"), Decimal("-1000")),
        "cache_write": (-64, Decimal("3.125"), Decimal("-200")),
    }
    assert len(rows) == 4
    assert Balance.objects.get(user=user).credits == 20000 - 3000 - 3450 - 1000 - 200


def test_cache_rates_fall_back_to_the_prompt_rate(user):
    usage = Usage(prompt_tokens=100, cache_read_tokens=100)
    balance.charge(user, usage, Rates(prompt=3, completion=15), rules=ON)
    assert Transaction.objects.get().credits == Decimal("-300")


def test_unpriced_models_use_librechats_default_rate(user):
    balance.charge(user, Usage(prompt_tokens=10, completion_tokens=10), None, rules=ON)
    assert Balance.objects.get(user=user).credits == 20000 - 60 - 60


def test_transactions_are_kept_when_balance_is_off_and_balance_never_goes_negative(user):
    balance.charge(user, Usage(prompt_tokens=10), GPT4O, rules=Policy(enabled=False))
    assert Transaction.objects.count() == 1 and not Balance.objects.exists()
    balance.charge(user, Usage(completion_tokens=10_000), GPT4O, rules=ON)  # 100000 > 20000
    assert Balance.objects.get(user=user).credits == 0


@pytest.mark.parametrize(
    ("usage", "rates", "problem"),
    [
        (Usage(prompt_tokens=-1_000_000), GPT4O, "prompt tokens"),
        (Usage(prompt_tokens=10, cache_read_tokens=-5), GPT4O, "cache_read tokens"),
        (Usage(completion_tokens=-3), GPT4O, "completion tokens"),
        (Usage(completion_tokens=2.5), GPT4O, "completion tokens"),
        (Usage(completion_tokens="many"), GPT4O, "completion tokens"),
        (Usage(completion_tokens=10), Rates(prompt=1, completion=-5), "completion rate"),
    ],
)
def test_a_charge_never_credits(user, usage, rates, problem):
    """The 20,000 → 769,895 credits of the review: figures a charge would turn into credit."""
    balance.charge(user, Usage(prompt_tokens=1), GPT4O, rules=ON)  # the balance row exists
    before = Balance.objects.get(user=user).credits
    with pytest.raises(ValueError, match=problem):
        balance.charge(user, usage, rates, rules=ON)
    assert Balance.objects.get(user=user).credits == before
    assert Transaction.objects.count() == 1  # nothing recorded either


def test_auto_refill_applies_when_due_and_needed(user):
    rules = Policy(
        enabled=True,
        start_balance=0,
        auto_refill=True,
        refill_interval_value=1,
        refill_interval_unit="hours",
        refill_amount=10000,
    )
    with pytest.raises(InsufficientBalance):  # created now: the first refill is an hour away
        balance.check(user, 100, GPT4O, rules)
    Balance.objects.update(last_refill=timezone.now() - timedelta(hours=1, seconds=1))
    balance.check(user, 100, GPT4O, rules)
    assert Balance.objects.get(user=user).credits == 10000
    refill = Transaction.objects.get(kind="refill")
    assert (refill.credits, refill.context) == (Decimal(10000), "autoRefill")
    assert not balance.refill_if_due(user, rules)  # not again within the hour


def test_add_credits(user, settings):
    settings.CHECK_BALANCE, settings.START_BALANCE = True, 100
    assert balance.add_credits(user, 2500) == 2600
    assert Transaction.objects.get().kind == "credit"


def test_cost_of_is_what_charge_takes(user):
    usage = Usage(
        prompt_tokens=2064, completion_tokens=345, cache_read_tokens=800, cache_write_tokens=64
    )
    assert balance.cost_of(usage, GPT4O) == Decimal("7650")
    rows = balance.charge(user, usage, GPT4O, rules=ON)
    assert -sum(row.credits for row in rows) == balance.cost_of(usage, GPT4O)


def test_a_charge_with_balances_off_is_one_insert(user, django_assert_num_queries):
    """Every turn is charged: its transactions are one statement, atomic by itself."""
    usage = Usage(prompt_tokens=10, completion_tokens=20)
    with django_assert_num_queries(1):
        rows = balance.charge(user, usage, GPT4O, rules=Policy(enabled=False))
    assert sorted(Transaction.objects.values_list("kind", "tokens")) == [
        ("completion", -20),
        ("prompt", -10),
    ]
    assert [row.kind for row in rows] == ["prompt", "completion"]

"""Replaying account transactions."""


def final_balance(opening, transactions):
    """Replay transactions on an account and return the closing balance, in cents.

    Each transaction is a [kind, amount] pair:
      "deposit"     adds amount;
      "withdrawal"  takes amount out, unless that would overdraw the account (then it is skipped);
      "fee"         takes amount out even if the balance goes negative;
      "interest"    adds amount percent of a positive balance, rounded down to whole cents.
    Transactions of any other kind are ignored.
    """
    balance = opening
    for kind, amount in transactions:
        if kind == "deposit":
            balance = balance + amount
        elif kind == "withdrawal":
            # The bank refuses withdrawals that would overdraw the account.
            if amount <= balance:
                balance = balance - amount
        elif kind == "fee":
            balance = balance - amount
        elif kind == "interest" and balance > 0:
            balance = balance + balance * amount / 100
    return balance

"""Reading a phone number back to a caller, digit by digit, grouped as people say them."""

from __future__ import annotations


def spoken_digits(digits: str) -> str:
    """Digits to be read one by one, grouped as people say them: "6 1 7, 5 5 5, 0 1 5 0"."""
    digits = "".join(d for d in digits if d.isdigit())
    if len(digits) == 11 and digits[0] == "1":
        groups = [digits[:1], digits[1:4], digits[4:7], digits[7:]]
    elif len(digits) == 10:
        groups = [digits[:3], digits[3:6], digits[6:]]
    else:
        groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
        if len(groups) > 1 and len(groups[-1]) == 1:  # no lone digit at the end
            groups[-2:] = [groups[-2] + groups[-1]]
    return ", ".join(" ".join(group) for group in groups)

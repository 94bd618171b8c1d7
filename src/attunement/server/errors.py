"""The server's own refusals, beside the project's (NotFound, InvalidInput, Conflict)."""

from __future__ import annotations

from attunement.errors import AttuneError


class SignInNeeded(AttuneError):
    """No valid session: sign in (pages redirect to the sign-in form instead)."""

    code = "sign_in_needed"
    http_status = 401


class TooManyTries(AttuneError):
    code = "too_many_tries"
    http_status = 429

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            f"Too many sign-in attempts; wait {minutes} minute{'s' if minutes != 1 else ''} "
            "and try again, or ask your programme's admin for a new sign-in link.",
            field="password",
        )
        self.retry_after = retry_after


class BadCsrf(AttuneError):
    code = "bad_csrf"
    http_status = 403

    def __init__(self) -> None:
        super().__init__(
            "This form has expired or came from another site; reload the page and try again."
        )


class NotAllowed(AttuneError):
    """Something a person can see but may not do (a trainee signing off their own work)."""

    code = "not_allowed"
    http_status = 403

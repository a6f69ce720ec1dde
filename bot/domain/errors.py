"""Domain errors. Handlers turn them into polite messages; the CLI into a clear line."""

from __future__ import annotations


class DomainError(Exception):
    """Base class; ``code`` is a stable name the texts modules map to a sentence."""

    code = "domain_error"

    def __init__(self, detail: str = "", **values: object) -> None:
        super().__init__(detail or self.code)
        self.detail = detail
        self.values = values


class NotFound(DomainError):
    code = "not_found"


class NotAllowed(DomainError):
    code = "not_allowed"


class InvalidInput(DomainError):
    code = "invalid_input"


class QuestionsClosed(DomainError):
    code = "questions_closed"


class AnnouncementTooLate(DomainError):
    """R1: a session is announced at least 7 days before it is held (ad hoc sessions excepted)."""

    code = "announcement_too_late"


class WrongState(DomainError):
    code = "wrong_state"


class DeadlineInPast(DomainError):
    code = "deadline_in_past"


class TooEarly(DomainError):
    """Something that can only happen once the session has started (marking it held)."""

    code = "too_early"


class UnitNeeded(DomainError):
    """A command on a deployment of many units that must name the unit: ``values["units"]`` are the
    units it could mean (the units that have the department code named, or every unit)."""

    code = "unit_needed"

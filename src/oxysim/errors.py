"""Exception types. User errors carry a message that says what is wrong and what to change."""


class OxysimError(Exception):
    """Base class for errors oxysim reports to a user without a traceback."""


class ModelDefinitionError(OxysimError):
    """A model declaration is inconsistent (missing unit or source, unknown name, bad variant)."""


class ModelUnitError(ModelDefinitionError):
    """A rate law or assignment does not have the unit its declaration promises."""


class RegimenError(OxysimError):
    """A regimen cannot be parsed or asks for something outside the supported range."""


class InputError(OxysimError):
    """A user-supplied option (subtype, duration, parameter override) is invalid."""


class SolverError(OxysimError):
    """The integrator failed; the message names the time and the states involved."""

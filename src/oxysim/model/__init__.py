"""The declarative mechanism model: declaration, units, assembly and compilation."""

from functools import lru_cache

from oxysim.model.compile import CompiledModel, Model
from oxysim.model.modules import ALL_MODULES


def build_model(hypotheses: dict[str, str] | None = None) -> Model:
    """The full oxysim model with the chosen hypothesis variants (defaults elsewhere)."""
    model = Model(ALL_MODULES, dict(hypotheses or {}))
    model.chosen_variants  # noqa: B018 - validates the choice now, with a clear message
    return model


@lru_cache(maxsize=16)
def _compiled(choice: tuple[tuple[str, str], ...]) -> CompiledModel:
    return build_model(dict(choice)).compile()


def compile_model(hypotheses: dict[str, str] | None = None) -> CompiledModel:
    """The compiled model for a hypothesis choice; compiled once per choice and cached."""
    model = build_model(hypotheses)
    return _compiled(tuple(sorted(model.chosen_variants.items())))


__all__ = ["Model", "CompiledModel", "build_model", "compile_model"]

"""Checks at the public surface: a wrong input fails here, with a message that says what was
expected, instead of deep inside torch or, worse, silently."""
import torch


def check_positive_int(value, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")


def check_positive_number(value, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def check_probability(value, name: str) -> None:
    """``value`` must be a probability in [0, 1), as a dropout rate must (1 would drop everything)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1), got {value!r}")


def check_num_vals(num_vals) -> None:
    """``num_vals``, the number of values an element takes, must be an int of at least 2."""
    if isinstance(num_vals, bool) or not isinstance(num_vals, int):
        raise TypeError(f"num_vals must be an int, got {type(num_vals).__name__}")
    if num_vals < 2:
        raise ValueError(f"num_vals must be at least 2 (a distribution over one value is no model), got {num_vals}")


def check_values(x, num_vals: int, name: str = "x") -> None:
    """``x`` must be a tensor of whole numbers in [0, num_vals): integers, or floats without a
    fractional part."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.dtype == torch.bool or x.dtype.is_complex:
        raise TypeError(f"{name} must hold integer pixel values, got dtype {x.dtype}")
    if x.numel() == 0:
        return
    if x.dtype.is_floating_point and not bool((x == x.round()).all()):
        raise ValueError(f"{name} must hold whole numbers (pixel values), got fractional values")
    low, high = x.min().item(), x.max().item()
    if low < 0 or high > num_vals - 1:
        raise ValueError(f"{name} must take values in [0, {num_vals - 1}], got values in [{low:g}, {high:g}]")


def check_data(x, shape: tuple[int, ...], num_vals: int, name: str = "x") -> None:
    """``x`` must be an integer tensor (B, *shape), B >= 1, with values in [0, num_vals)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.dtype.is_floating_point or x.dtype.is_complex or x.dtype == torch.bool:
        raise TypeError(f"{name} must hold integers (a LongTensor of pixel values), got dtype {x.dtype}")
    if tuple(x.shape[1:]) != tuple(shape) or x.dim() != len(shape) + 1:
        raise ValueError(f"{name} must have shape (B, {', '.join(map(str, shape))}), got {tuple(x.shape)}")
    if x.shape[0] == 0:
        raise ValueError(f"{name} is an empty batch; expected at least one example")
    check_values(x, num_vals, name)


def check_labels(y, batch: int, num_classes: int, name: str = "y") -> None:
    """``y`` must be an integer tensor (batch,) with classes in [0, num_classes)."""
    if y is None:
        raise ValueError(f"{name} is required: this model is conditioned on a class in [0, {num_classes - 1}]")
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor or an int, got {type(y).__name__}")
    if y.dtype.is_floating_point or y.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer classes, got dtype {y.dtype}")
    if tuple(y.shape) != (batch,):
        raise ValueError(f"{name} must have shape ({batch},), one class per example, got {tuple(y.shape)}")
    if batch and (int(y.min()) < 0 or int(y.max()) >= num_classes):
        raise ValueError(f"{name} must hold classes in [0, {num_classes - 1}], got values in "
                         f"[{int(y.min())}, {int(y.max())}]")

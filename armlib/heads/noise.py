"""The noise a draw is made from, drawn up front (see ``heads``): uniform and Gumbel variables."""
import torch


def uniform_noise(shape, generator=None, dtype=torch.float32) -> torch.Tensor:
    """Uniform noise in the open interval (0, 1), safe for log(u) and log(1 - u)."""
    u = torch.rand(shape, generator=generator, dtype=dtype)
    return u.clamp(min=torch.finfo(dtype).tiny, max=1 - torch.finfo(dtype).eps)


def gumbel_noise(shape, generator=None, dtype=torch.float32) -> torch.Tensor:
    """Standard Gumbel noise, -log(-log u) with u uniform in the open interval (0, 1)."""
    return -torch.log(-torch.log(uniform_noise(shape, generator, dtype)))

"""The ARM as a lossless codec: ``compress(model, x) -> bytes`` and ``decompress(model, data) -> x``.

A model that gives p(x) = prod_d p(x_d | x_<d) can store x in about -log2 p(x) bits: a range coder
(``constriction``'s, not one written here) narrows an interval by each element's conditional
probability. The decoder has to run autoregressively, since it learns x_d only by decoding it, and
it must see the very same probabilities the encoder used: a range coder works with integer
frequencies, and one count of difference at one element sends it down another interval, so
everything after that element decodes to garbage.

So both sides compute every conditional by the same code, ``_walk``, on identical inputs:

- the network's parameters at each position come from the same path of the book's one raster loop,
  ``ARM.conditionals`` (the cached stepper, or a full pass per position), over the same canvas (zeros, filled in
  raster order, channel by channel, with the values coded so far), in the same batches (chunks of
  ``chunk`` images, recorded in the header);
- the head's distribution over the levels of one element comes from ``head.log_prob`` of every
  level (``level_log_probs``), so every head and the channel coupling of colour models work alike;
- ``frequencies`` turns it into integer counts that sum to 2**24, each at least one, in float64,
  and the coder codes exactly those counts (``_coder_probabilities``).

A parallel pass, one network pass over the whole of x, gives the same numbers up to rounding,
which is not good enough: ``frequency_tables(model, x, path="parallel")`` against ``path="cached"``
counts where they differ, and ``compress(model, x, path="parallel")`` writes a stream with them that
the decoder, which cannot run that pass, may fail to read (``CorruptStream`` carries what it
decoded).

The stream: a 32-byte header, then the range coder's 32-bit words. The header holds the magic
``b"AR"``, the version, the path, the data's shape, the number of examples, the chunk size, the
number of payload words, an 8-byte tag (a hash of the model's parameters and of these fields, so a
stream decodes only with the model that wrote it, and a damaged header is caught before decoding)
and the CRC-32 of the data, checked after decoding. A class-conditional model's labels are coded
first, each with the uniform distribution over the classes.
"""
import hashlib
import struct
import zlib
from itertools import product

import constriction
import numpy as np
import torch

from .arm import ARM
from .modes import evaluating
from .validation import check_data

PRECISION = 24
"""Frequencies sum to 2**PRECISION, the precision of constriction's default range coder."""

PATHS = ("cached", "plain", "parallel")
"""Where the encoder takes the network's parameters from: the cached stepper, a full pass over the
canvas at every position, or one full pass over the whole of x (which no decoder can do)."""

DEFAULT_CHUNK = 512
MAGIC, VERSION = b"AR", 1
HEADER = struct.Struct("<2sBB3HIHI8sI")  # magic, version, path, shape, count, chunk, words, tag, crc
assert HEADER.size == 32


class CorruptStream(ValueError):
    """The stream does not decode to the data that were compressed: the range decoder failed, or
    the decoded data fail the checksum the encoder recorded. ``x`` (and ``y``) hold what was decoded
    up to the failure (zeros after it), to show what a mismatch does; never use them as data."""

    def __init__(self, message: str, x: torch.Tensor, y: torch.Tensor | None = None):
        super().__init__(message)
        self.x, self.y = x, y


def fingerprint(model: ARM) -> bytes:
    """8 bytes that identify ``model``: BLAKE2b of its description (``repr``: networks, head,
    shape) and of every entry of its state_dict (name, dtype, shape, bytes)."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(repr(model).encode())
    for name, tensor in model.state_dict().items():
        tensor = tensor.detach().cpu().contiguous()
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.digest()


def frequencies(log_probs: torch.Tensor) -> torch.Tensor:
    """Log-probabilities over the levels (..., V) -> integer frequencies (..., V), int64, that sum to
    2**PRECISION with every level at least one count: 1 + floor(p (2**PRECISION - V)), the remainder
    (fewer than V counts) to the most probable level (the first, on a tie).

    The one quantiser of the codec: the encoder and the decoder both call it, in float64, so equal
    inputs give equal counts. Raises ValueError on a distribution that is not finite."""
    probs = torch.softmax(log_probs.to(torch.float64), dim=-1)
    if not bool(torch.isfinite(probs).all()):
        raise ValueError("the model gave a conditional distribution that is not finite (NaN or all -inf "
                         "log-probabilities); it cannot be coded")
    levels, total = probs.shape[-1], 1 << PRECISION
    counts = 1 + torch.floor(probs * (total - levels)).to(torch.int64)
    return counts.scatter_add(-1, probs.argmax(-1, keepdim=True), total - counts.sum(-1, keepdim=True))


def _coder_probabilities(counts: torch.Tensor) -> np.ndarray:
    """What to hand constriction's ``Categorical(perfect=False)`` so that it codes exactly ``counts``.

    Its quantiser gives symbol i the left cumulative floor(s_i * (2**24 - V) / sum) + i, with s_i the
    sum of the floats before i. Given count - 1 (they sum to 2**24 - V), the scale is exactly 1 and
    every sum is an exact integer in float64, so the cumulatives are those of ``counts``."""
    return (counts - 1).to(torch.float64).numpy()


def level_log_probs(head, params: torch.Tensor, pixel: torch.Tensor, channel: int) -> torch.Tensor:
    """log p(x_c = v | x_<c, params) for every level v, (B, V): the head's log_prob of ``pixel``
    (B, C, 1[, 1]) with channel ``channel`` set to each level in turn.

    ``params`` (B, P, 1[, 1]) are the head's parameters at one position. A head's term for channel c
    depends on the pixel's channels up to c only, so channels after it may hold anything; the
    channels before it must hold their values (the canvas does)."""
    batch, levels = pixel.shape[0], head.num_vals
    candidates = pixel.repeat_interleave(levels, dim=0)
    candidates[:, channel] = torch.arange(levels, device=pixel.device).repeat(batch).reshape(
        -1, *candidates.shape[2:])
    terms = head.log_prob(params.repeat_interleave(levels, dim=0), candidates)
    return terms[:, channel].reshape(batch, levels)


def _conditionals(model: ARM, canvas: torch.Tensor, y, path: str, source: torch.Tensor | None):
    """``(at, params)`` for every position in raster order, as ``ARM.conditionals`` yields them: from
    the stepper (``cached``) or a full pass over the canvas (``plain``), the very loop the samplers
    run; or from one full pass over ``source``, the whole data (``parallel``, which only an encoder
    can do, and which is here to show why it must not)."""
    if path != "parallel":
        yield from model.conditionals(canvas, y, cached=path == "cached")
        return
    with torch.no_grad(), evaluating(model):
        full = model.params(source, y)
    for position in product(*map(range, model.positions)):
        at = (..., *[slice(i, i + 1) for i in position])
        yield at, full[at]


@torch.no_grad()
def _walk(model: ARM, canvas: torch.Tensor, y, path: str, code, source: torch.Tensor | None = None):
    """The one loop of encoder and decoder: in raster order, channel by channel, the frequencies of
    each element given ``canvas`` so far; ``code(counts (B, V), at, channel)`` returns the element's
    values (B,), which are written into ``canvas`` (B, C, *positions) before the next."""
    for at, params in _conditionals(model, canvas, y, path, source):
        pixel = canvas[at]  # a view: (B, C, 1[, 1])
        for channel in range(model.channels):
            counts = frequencies(level_log_probs(model.head, params, pixel, channel))
            pixel[:, channel] = code(counts, at, channel).reshape(pixel[:, channel].shape)
    return canvas


def _check_model(model) -> None:
    if not isinstance(model, ARM):
        raise TypeError(f"model must be an armlib.ARM, got {type(model).__name__}")


def _check_path(path: str, *, decoding: bool = False) -> None:
    allowed = ("cached", "plain") if decoding else PATHS
    if path not in allowed:
        raise ValueError(f"path must be one of {allowed}, got {path!r}"
                         + (" (a decoder cannot run the parallel pass: it has no image yet)" if decoding else ""))


def _checked(model: ARM, x, y):
    """x as a LongTensor (B, *shape) on the model's device and y as ``model.labels`` gives them, every
    failure a ValueError."""
    try:
        check_data(x, model.shape, model.num_vals)
        y = model.labels(y, x.shape[0])
    except TypeError as error:
        raise ValueError(str(error)) from None
    device = _device(model)
    return x.long().to(device), None if y is None else y.to(device)


def _crc(x: torch.Tensor, y: torch.Tensor | None) -> int:
    crc = zlib.crc32(x.to(torch.int64).contiguous().cpu().numpy().tobytes())
    return crc if y is None else zlib.crc32(y.to(torch.int64).contiguous().cpu().numpy().tobytes(), crc)


def _tag(model: ARM, fields: tuple) -> bytes:
    """The model's fingerprint bound to the header's other fields."""
    return hashlib.blake2b(fingerprint(model) + repr(fields).encode(), digest_size=8).digest()


def _shape_field(shape: tuple[int, ...]) -> tuple[int, int, int]:
    if any(s > 0xFFFF for s in shape):
        raise ValueError(f"the header stores each dimension in 16 bits; shape {shape} is too large")
    return (*shape, 0, 0) if len(shape) == 1 else tuple(shape)


def _chunks(count: int, chunk: int):
    return [(start, min(start + chunk, count)) for start in range(0, count, chunk)]


def _device(model: ARM):
    return next(model.parameters()).device


def _scan(model: ARM, x: torch.Tensor, y, path: str, chunk: int, visit) -> None:
    """The encoder's walk over the (checked) data ``x``, chunk by chunk: ``visit(rows, at, channel,
    counts, values)`` for every element, ``rows`` the chunk's slice of the batch, ``at`` the position
    (as ``ARM.conditionals`` gives it) and ``channel`` the channel. The canvas fills with x's values
    as the decoder's fills with the values it decodes."""
    data = model._channel_first(x)
    for start, stop in _chunks(x.shape[0], chunk):
        def code(counts, at, channel, rows=slice(start, stop)):
            values = data[rows][at][:, channel].flatten()
            visit(rows, at, channel, counts, values)
            return values

        _walk(model, model.blank(stop - start, x.device), None if y is None else y[start:stop], path, code,
              x[start:stop])


def _check_chunk(chunk) -> None:
    if isinstance(chunk, bool) or not isinstance(chunk, int) or not 1 <= chunk <= 0xFFFF:
        raise ValueError(f"chunk must be an int in [1, 65535], got {chunk!r}")


def frequency_tables(model: ARM, x: torch.Tensor, y=None, *, path: str = "cached",
                     chunk: int = DEFAULT_CHUNK) -> torch.Tensor:
    """The integer frequencies the encoder codes each element of ``x`` with, (B, C, *positions, V)
    int64, computed along ``path`` in chunks of ``chunk`` as ``compress`` does. Two paths write the
    same stream exactly where these agree."""
    _check_model(model)
    _check_path(path)
    _check_chunk(chunk)
    x, y = _checked(model, x, y)
    tables = torch.empty(*model._channel_first(x).shape, model.num_vals, dtype=torch.int64)

    def record(rows, at, channel, counts, values):
        positions = at[1:]  # ``at`` is (..., *positions); tables have a last dimension for the levels
        tables[rows][(slice(None), channel, *positions)] = counts.cpu().reshape(-1, *[1] * len(positions),
                                                                                 counts.shape[-1])

    _scan(model, x, y, path, chunk, record)
    return tables


def compress(model: ARM, x: torch.Tensor, y=None, *, path: str = "cached", chunk: int = DEFAULT_CHUNK) -> bytes:
    """``x`` (B, *model.shape), integers in [0, num_vals), as bytes: a 32-byte header and the range
    coder's payload, about -log2 p(x) bits in all. ``y``: the labels of a class-conditional model
    (coded too, uniformly); None otherwise.

    ``path`` says where the network's parameters come from: ``"cached"`` (the stepper, the default)
    or ``"plain"`` (a full pass per position); ``decompress`` follows the same one. ``"parallel"``
    (one pass over the whole of x) is there to show why that matters: no decoder can follow it, and
    a rounding difference makes the stream fail to decode (``CorruptStream``). Examples are coded
    in chunks of ``chunk``, which the header records, so that the decoder runs the same batches."""
    _check_model(model)
    _check_path(path)
    _check_chunk(chunk)
    x, y = _checked(model, x, y)
    count = x.shape[0]
    if count > 0xFFFFFFFF:
        raise ValueError(f"a stream holds at most 2**32 - 1 examples, got {count}")
    family = constriction.stream.model.Categorical(perfect=False)
    encoder = constriction.stream.queue.RangeEncoder()

    def encode(rows, at, channel, counts, values):
        encoder.encode(values.to(torch.int32).cpu().numpy(), family, _coder_probabilities(counts.cpu()))

    if y is not None:
        encode(None, None, None, frequencies(torch.zeros(count, model.num_classes)), y)
    _scan(model, x, y, path, chunk, encode)
    payload = encoder.get_compressed().astype("<u4").tobytes()
    fields = (MAGIC, VERSION, PATHS.index(path), *_shape_field(model.shape), count, chunk, len(payload) // 4)
    return HEADER.pack(*fields, _tag(model, fields), _crc(x, y)) + payload


def _read_header(model: ARM, data) -> tuple:
    """The header's fields, checked against ``data``'s length and ``model``: ValueError otherwise."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    if len(data) < HEADER.size:
        raise ValueError(f"the stream is truncated: an armlib stream starts with a {HEADER.size}-byte header, "
                         f"got {len(data)} bytes")
    magic, version, path_index, *shape, count, chunk, words, tag, crc = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise ValueError(f"not an armlib stream: it starts with {magic!r}, expected {MAGIC!r}")
    if version != VERSION:
        raise ValueError(f"this is a version {version} stream; this armlib reads version {VERSION}")
    expected = HEADER.size + 4 * words
    if len(data) != expected:
        what = "truncated" if len(data) < expected else f"followed by {len(data) - expected} extra bytes"
        raise ValueError(f"the stream is {what}: its header says {expected} bytes, got {len(data)}")
    shape = tuple(shape[:1]) if shape[1:] == [0, 0] else tuple(shape)
    if shape != model.shape:
        raise ValueError(f"the stream holds data of shape {shape}, but this model's shape is {model.shape}")
    fields = (magic, version, path_index, *_shape_field(shape), count, chunk, words)
    if tag != _tag(model, fields) or path_index >= len(PATHS) or count < 1 or chunk < 1:
        raise ValueError("the stream was not written by this model (its fingerprint of the model's parameters "
                         "does not match this one's), or its header is damaged; decode with the model that "
                         "compressed it")
    return PATHS[path_index], count, chunk, crc


class _DecoderFailed(Exception):
    """constriction's range decoder refused the payload."""


def decompress(model: ARM, data: bytes, *, path: str | None = None):
    """The data ``compress`` stored in ``data``: x (B, *model.shape), or (x, y) for a
    class-conditional model. ``model`` must be the one that compressed them (same parameters).

    The network runs along the path the header records (a ``"parallel"`` stream is read with the
    stepper, as a real decoder would); ``path="cached"`` or ``"plain"`` overrides it, to show what a
    decoder on another path reads. Raises ValueError for bytes that are not such a stream, come from
    another model or are truncated, and ``CorruptStream`` (a ValueError) when the payload does not
    decode to the data that were compressed."""
    _check_model(model)
    recorded, count, chunk, crc = _read_header(model, data)
    if path is None:
        path = "plain" if recorded == "plain" else "cached"
    _check_path(path, decoding=True)
    family = constriction.stream.model.Categorical(perfect=False)
    decoder = constriction.stream.queue.RangeDecoder(
        np.frombuffer(bytes(data), dtype="<u4", offset=HEADER.size).copy())
    device = _device(model)

    def decode(counts):
        try:
            return torch.from_numpy(decoder.decode(family, _coder_probabilities(counts.cpu())).astype(np.int64))
        except Exception as error:  # constriction refuses a payload it cannot decode
            raise _DecoderFailed(str(error)) from None

    def corrupt(reason, canvases, y):
        x = torch.cat([*canvases, model.blank(count, device)[sum(map(len, canvases)):]
                       .reshape(-1, *model.shape)])
        return CorruptStream(f"the stream does not decode to the data that were compressed: {reason}. The stream "
                             f"is damaged, or the decoder computed other probabilities than the encoder (encoded "
                             f"along {recorded!r}, decoded along {path!r})", x, y)

    y = None
    if model.num_classes is not None:
        try:
            y = decode(frequencies(torch.zeros(count, model.num_classes))).to(device)
        except _DecoderFailed as error:
            raise corrupt(f"the range decoder failed on the labels ({error})", [], None) from None
    canvases = []
    for start, stop in _chunks(count, chunk):
        canvas = model.blank(stop - start, device)
        try:
            _walk(model, canvas, None if y is None else y[start:stop], path,
                  lambda counts, at, channel: decode(counts).to(device))
        except _DecoderFailed as error:
            raise corrupt(f"the range decoder failed ({error})",
                          [*canvases, canvas.reshape(-1, *model.shape)], y) from None
        canvases.append(canvas.reshape(-1, *model.shape))
    x = torch.cat(canvases)
    if _crc(x, y) != crc:
        raise corrupt("the decoded data fail the checksum the encoder recorded", canvases, y)
    if not decoder.maybe_exhausted():
        raise corrupt("data are left over after the last example", canvases, y)
    return x if y is None else (x, y)

import pytest
import torch

import armlib


@pytest.mark.parametrize("split, size", [("train", 1000), ("val", 350), ("test", 447)])
def test_splits_have_the_seeds_sizes_and_values(split, size):
    x = armlib.load_digits(split)
    assert x.shape == (size, 64)
    assert x.dtype == torch.long
    assert int(x.min()) == 0 and int(x.max()) == armlib.NUM_VALS - 1


def test_splits_are_consecutive_slices_of_sklearns_digits():
    from sklearn.datasets import load_digits

    every = torch.from_numpy(load_digits().data).long()
    joined = torch.cat([armlib.load_digits(split) for split in ("train", "val", "test")])
    assert torch.equal(joined, every)


def test_labels_come_with_the_images():
    x, y = armlib.load_digits("test", return_labels=True)
    assert y.shape == (447,) and y.dtype == torch.long
    assert set(y.tolist()) == set(range(10))
    assert torch.equal(x, armlib.load_digits("test"))


def test_unknown_split_is_refused_by_name():
    with pytest.raises(ValueError, match="'validation'"):
        armlib.load_digits("validation")


def test_images_view_keeps_raster_order():
    x = armlib.load_digits("val")
    images = armlib.as_images(x)
    assert images.shape == (350, 1, 8, 8)
    assert torch.equal(images[5, 0, 2, 3], x[5, 2 * 8 + 3])
    with pytest.raises(ValueError, match=r"\(N, 64\)"):
        armlib.as_images(images)


def test_binarise_thresholds_at_half_the_range():
    assert armlib.binarise(torch.tensor([0, 7, 8, 16])).tolist() == [0, 0, 1, 1]

import pytest
import torch

import armlib
from armlib import train
from armlib.train import learning_rate, load_checkpoint
from toy import toy_arm


def data(n, seed):
    """Sequences of 3 values where x_2 = x_0: learnable only by a model that remembers."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(4, (n, 3), generator=g)
    x[:, 2] = x[:, 0]
    return x


TRAIN, VAL = data(256, 0), data(128, 1)
SETTINGS = dict(epochs=6, batch_size=32, lr=0.05, patience=3, seed=7, progress=False)


def weights(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_fit_learns_and_restores_the_best_epoch():
    model = toy_arm()
    before = armlib.evaluate(model, VAL).nats
    history = armlib.fit(model, TRAIN, VAL, **SETTINGS)
    assert history.epochs == len(history.train_nll) == len(history.seconds) == 6
    assert history.best_val < before - 1.0
    assert armlib.evaluate(model, VAL).nats == pytest.approx(history.best_val, rel=1e-6)
    assert all(b > a for a, b in zip(history.seconds, history.seconds[1:]))


def test_early_stopping_waits_patience_epochs_after_the_best():
    history = armlib.fit(toy_arm(), TRAIN, VAL, **{**SETTINGS, "lr": 2.0, "epochs": 50, "patience": 2})
    assert history.epochs < 50
    assert history.epochs - history.best_epoch == 2


def test_a_run_stopped_early_ends_on_a_full_progress_bar_that_says_why(capsys):
    history = armlib.fit(toy_arm(), TRAIN, VAL, **{**SETTINGS, "lr": 2.0, "epochs": 50, "patience": 2,
                                                   "progress": True})
    last = capsys.readouterr().err.rsplit("\r", 1)[-1]
    assert "100%" in last and f" {history.epochs}/{history.epochs} " in last
    assert "stopped early: no better validation NLL in 2 epochs" in last


def test_a_notebook_bar_is_one_text_output_that_each_update_replaces(monkeypatch):
    from armlib import progress

    shown = []

    class Handle:
        def update(self, bundle, raw):
            shown[-1] = bundle["text/plain"]

    def display(bundle, raw, display_id):
        shown.append(bundle["text/plain"])
        return Handle()

    monkeypatch.setattr("IPython.display.display", display)
    monkeypatch.setattr(progress, "_in_notebook", lambda: True)
    bar = progress.EpochBar(0, 10)
    for _ in range(3):
        bar.update(val="1.00")
    bar.finish("stopped early")
    assert len(shown) == 1 and "100%" in shown[0] and " 3/3 " in shown[0] and "stopped early" in shown[0]


def test_same_seed_same_run_bit_for_bit():
    first, second = toy_arm(seed=1), toy_arm(seed=1)
    h1 = armlib.fit(first, TRAIN, VAL, **SETTINGS)
    h2 = armlib.fit(second, TRAIN, VAL, **SETTINGS)
    assert h1.val_nll == h2.val_nll and h1.train_nll == h2.train_nll
    assert all(torch.equal(a, b) for a, b in zip(weights(first).values(), weights(second).values()))


def test_interrupted_run_resumes_to_the_same_weights_and_history(tmp_path):
    straight = toy_arm(seed=2)
    expected = armlib.fit(straight, TRAIN, VAL, **SETTINGS)

    path = tmp_path / "run.pt"
    interrupted = toy_arm(seed=2)
    armlib.fit(interrupted, TRAIN, VAL, **{**SETTINGS, "epochs": 2}, checkpoint=path)
    resumed = toy_arm(seed=99)  # a fresh process would build a fresh model
    torch.manual_seed(12345)  # and have another global random state
    history = armlib.fit(resumed, TRAIN, VAL, **SETTINGS, checkpoint=path, resume=path)

    assert history.val_nll == expected.val_nll and history.train_nll == expected.train_nll
    assert all(torch.equal(a, b) for a, b in zip(weights(straight).values(), weights(resumed).values()))
    assert not list(tmp_path.glob("*.partial"))


def test_cosine_schedule_falls_from_lr_to_zero():
    rates = [learning_rate(0.1, "cosine", step, 100) for step in range(101)]
    assert rates[0] == 0.1 and rates[50] == pytest.approx(0.05) and rates[100] == pytest.approx(0.0)
    assert all(b < a for a, b in zip(rates, rates[1:]))
    assert {learning_rate(0.1, "constant", step, 100) for step in range(101)} == {0.1}


def test_fit_steps_with_the_scheduled_learning_rate(monkeypatch):
    used = []
    step = torch.optim.AdamW.step

    def recording_step(self, *args, **kwargs):
        used.append(self.param_groups[0]["lr"])
        return step(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.AdamW, "step", recording_step)
    armlib.fit(toy_arm(), TRAIN, VAL, **{**SETTINGS, "patience": 6}, lr_schedule="cosine")
    steps = SETTINGS["epochs"] * len(TRAIN) // SETTINGS["batch_size"]
    assert used == [learning_rate(SETTINGS["lr"], "cosine", s, steps) for s in range(steps)]


def test_run_stopped_by_ctrl_c_resumes_on_its_cosine_schedule(tmp_path, monkeypatch):
    settings = {**SETTINGS, "patience": 6, "lr_schedule": "cosine"}
    straight = toy_arm(seed=3)
    expected = armlib.fit(straight, TRAIN, VAL, **settings)

    evaluate, calls = train.evaluate, []

    def interrupted_in_epoch_3(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return evaluate(*args, **kwargs)

    path = tmp_path / "run.pt"
    monkeypatch.setattr(train, "evaluate", interrupted_in_epoch_3)
    with pytest.raises(KeyboardInterrupt):
        armlib.fit(toy_arm(seed=3), TRAIN, VAL, **settings, checkpoint=path)
    monkeypatch.setattr(train, "evaluate", evaluate)
    assert len(load_checkpoint(path, toy_arm())["history"]["val_nll"]) == 2

    resumed = toy_arm(seed=99)
    history = armlib.fit(resumed, TRAIN, VAL, **settings, checkpoint=path, resume=path)
    assert history.val_nll == expected.val_nll and history.train_nll == expected.train_nll
    assert all(torch.equal(a, b) for a, b in zip(weights(straight).values(), weights(resumed).values()))


@pytest.mark.parametrize("change", [{"lr": 0.01}, {"batch_size": 16}, {"lr_schedule": "constant"},
                                    {"epochs": 12}])
def test_resuming_with_other_settings_is_refused(tmp_path, change):
    path = tmp_path / "run.pt"
    settings = {**SETTINGS, "lr_schedule": "cosine"}
    armlib.fit(toy_arm(), TRAIN, VAL, **{**settings, "epochs": 6}, checkpoint=path)
    name = next(iter(change))
    with pytest.raises(ValueError, match=f"other settings.*'{name}'"):
        armlib.fit(toy_arm(), TRAIN, VAL, **{**settings, **change}, resume=path)


def test_unknown_schedule_is_named():
    with pytest.raises(ValueError, match="lr_schedule must be one of"):
        armlib.fit(toy_arm(), TRAIN, VAL, **SETTINGS, lr_schedule="linear")


def test_checkpoint_loads_with_weights_only(tmp_path):
    path = tmp_path / "run.pt"
    armlib.fit(toy_arm(), TRAIN, VAL, **{**SETTINGS, "epochs": 1}, checkpoint=path)
    run = torch.load(path, weights_only=True)
    assert run["history"]["val_nll"] and set(run) >= {"model", "optimiser", "best_state", "rng"}


def test_checkpoint_of_another_architecture_is_refused(tmp_path):
    path = tmp_path / "run.pt"
    armlib.fit(toy_arm(length=3), TRAIN, VAL, **{**SETTINGS, "epochs": 1}, checkpoint=path)
    with pytest.raises(ValueError, match="another architecture"):
        load_checkpoint(path, toy_arm(length=4))


def test_corrupted_checkpoint_is_refused(tmp_path):
    path = tmp_path / "run.pt"
    path.write_bytes(b"not a checkpoint at all")
    with pytest.raises(ValueError, match="corrupted"):
        armlib.fit(toy_arm(), TRAIN, VAL, **SETTINGS, resume=path)


def test_nan_loss_stops_training_names_where_and_keeps_the_best_weights():
    model = toy_arm()
    forward, calls = model.net.forward, []

    def poisoned(x):  # healthy for the first 20 batches, NaN after
        calls.append(1)
        return forward(x) * (float("nan") if len(calls) > 20 else 1.0)

    model.net.forward = poisoned
    with pytest.raises(armlib.TrainingDiverged, match=r"became nan at epoch 3, batch 3") as caught:
        armlib.fit(model, TRAIN, VAL, **SETTINGS)
    history = caught.value.history
    assert history.epochs == 2
    model.net.forward = forward
    assert armlib.evaluate(model, VAL).nats == pytest.approx(history.best_val, rel=1e-6)


def test_class_conditional_data_must_be_pairs():
    with pytest.raises(ValueError, match="pair"):
        armlib.fit(toy_arm(), (TRAIN, TRAIN, TRAIN), VAL, **SETTINGS)


@pytest.mark.parametrize("setting", ["epochs", "batch_size", "patience"])
def test_counts_must_be_positive(setting):
    with pytest.raises(ValueError, match=setting):
        armlib.fit(toy_arm(), TRAIN, VAL, **{**SETTINGS, setting: 0})


def test_training_data_of_the_wrong_shape_is_named():
    with pytest.raises(ValueError, match=r"train must have shape \(B, 3\)"):
        armlib.fit(toy_arm(), TRAIN[:, :2], VAL, **SETTINGS)
    with pytest.raises(TypeError, match="val must hold integers"):
        armlib.fit(toy_arm(), TRAIN, VAL.float(), **SETTINGS)


def test_labels_for_an_unconditional_model_are_refused():
    with pytest.raises(ValueError, match="not class-conditional"):
        armlib.fit(toy_arm(), (TRAIN, TRAIN[:, 0]), VAL, **SETTINGS)

"""PyTorch reference modules: castorini's Kim CNN and SM CNN, layer for layer.

These are the living definition of what tinycnn computes. Parameter names,
shapes and the forward pass match castorini/serverless-inference (sm_cnn/
model.py) and castorini/Castor (kim_cnn/model.py, minus the embedding layers:
the serverless deployment feeds already-embedded sentences). Sizes are
constructor arguments (defaults as castorini) so tests can use odd sizes.

Both forwards pool with `_max_over_time`, which is F.max_pool1d over the
whole sequence exactly as castorini writes it; converters/export_onnx.py
overrides just that method (torch.amax) because max_pool1d with a
data-dependent kernel size does not trace to ONNX with a dynamic axis.
"""

import json

import torch
import torch.nn as nn
import torch.nn.functional as F

KIM_KEYS = ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
            "conv3.weight", "conv3.bias", "fc1.weight", "fc1.bias")
SM_KEYS = ("conv_q.weight", "conv_q.bias", "conv_a.weight", "conv_a.bias",
           "combined_feature_vector.weight", "combined_feature_vector.bias",
           "hidden.weight", "hidden.bias")
SM_EXT_FEATS = 4  # castorini's external features (e.g. overlap counts)


class KimCNN(nn.Module):
    """Kim (2014) sentence CNN over pre-embedded input.

    forward(x): x (batch, channels, n, dim) -> logits (batch, classes).
    channels = 1 (static / non-static) or 2 (multichannel: channel 0 is the
    non-static embedding, channel 1 the static one).
    """

    def __init__(self, channels=1, filters=100, dim=300, classes=6,
                 kernel_sizes=(3, 4, 5), dropout=0.5):
        super().__init__()
        k1, k2, k3 = kernel_sizes
        # Wide convolutions: padding k-1 on the token axis, so the output
        # length is n + k - 1 and a one-token sentence still works.
        self.conv1 = nn.Conv2d(channels, filters, (k1, dim), padding=(k1 - 1, 0))  # w (filters, channels, k1, dim)
        self.conv2 = nn.Conv2d(channels, filters, (k2, dim), padding=(k2 - 1, 0))  # w (filters, channels, k2, dim)
        self.conv3 = nn.Conv2d(channels, filters, (k3, dim), padding=(k3 - 1, 0))  # w (filters, channels, k3, dim)
        self.dropout = nn.Dropout(dropout)
        self.fc1 = nn.Linear(3 * filters, classes)  # w (classes, 3 * filters)

    @staticmethod
    def _max_over_time(x):
        # x (batch, filters, length) -> (batch, filters, 1)
        return F.max_pool1d(x, x.size(2))

    def forward(self, x):
        # x (batch, channels, n, dim)
        x = [F.relu(conv(x)).squeeze(3) for conv in (self.conv1, self.conv2, self.conv3)]
        x = [self._max_over_time(i).squeeze(2) for i in x]  # 3 x (batch, filters)
        x = torch.cat(x, 1)  # (batch, 3 * filters)
        x = self.dropout(x)
        return self.fc1(x)  # (batch, classes)


class SMModel(nn.Module):
    """Severyn & Moschitti (2015) answer-selection CNN.

    forward(x_question (batch, nq, dim), x_answer (batch, na, dim),
    x_ext (batch, 4) or None) -> logits (batch, classes); ranking uses class 1.
    """

    def __init__(self, filters=100, dim=50, k=5, ext_feats=False, classes=2,
                 dropout=0.5):
        super().__init__()
        self.ext_feats_size = SM_EXT_FEATS if ext_feats else 0
        # Separate (not shared) wide convolutions for question and answer.
        self.conv_q = nn.Conv2d(1, filters, (k, dim), padding=(k - 1, 0))  # w (filters, 1, k, dim)
        self.conv_a = nn.Conv2d(1, filters, (k, dim), padding=(k - 1, 0))  # w (filters, 1, k, dim)
        self.dropout = nn.Dropout(dropout)
        n_hidden = 2 * filters + self.ext_feats_size
        self.combined_feature_vector = nn.Linear(n_hidden, n_hidden)  # w (n_hidden, n_hidden)
        self.hidden = nn.Linear(n_hidden, classes)  # w (classes, n_hidden)

    @staticmethod
    def _max_over_time(x):
        # x (batch, filters, length) -> (batch, filters, 1)
        return F.max_pool1d(x, x.size(2))

    def forward(self, x_question, x_answer, x_ext=None):
        q = x_question.unsqueeze(1)  # (batch, 1, nq, dim)
        a = x_answer.unsqueeze(1)  # (batch, 1, na, dim)
        x = [torch.tanh(self.conv_q(q)).squeeze(3), torch.tanh(self.conv_a(a)).squeeze(3)]
        x = [self._max_over_time(i).squeeze(2) for i in x]  # 2 x (batch, filters)
        if self.ext_feats_size > 0:
            x.append(x_ext)  # (batch, 4)
        x = torch.cat(x, 1)  # (batch, n_hidden)
        x = torch.tanh(self.combined_feature_vector(x))
        x = self.dropout(x)
        return self.hidden(x)  # (batch, classes)


def kim_config(mode_channels, filters, dim, kernel_sizes, classes):
    """The tinycnn.config dict for a Kim CNN (key order is part of the format)."""
    return {"mode": "multichannel" if mode_channels == 2 else "static",
            "channels": mode_channels, "filters": filters, "dim": dim,
            "kernel_sizes": list(kernel_sizes), "classes": classes}


def sm_config(filters, dim, k, ext_feats, classes):
    """The tinycnn.config dict for an SM CNN (key order is part of the format)."""
    return {"filters": filters, "dim": dim, "k": k, "ext_feats": bool(ext_feats),
            "classes": classes}


def compact_json(value):
    """JSON without whitespace, as stored in safetensors metadata."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def build_model(architecture, config, kim_cls=KimCNN, sm_cls=SMModel):
    """A freshly initialised module for a tinycnn (architecture, config)."""
    if architecture == "KimCNN":
        return kim_cls(channels=config["channels"], filters=config["filters"],
                       dim=config["dim"], classes=config["classes"],
                       kernel_sizes=tuple(config["kernel_sizes"]))
    if architecture == "SMModel":
        return sm_cls(filters=config["filters"], dim=config["dim"], k=config["k"],
                      ext_feats=config["ext_feats"], classes=config["classes"])
    raise ValueError(f"unknown architecture {architecture!r}")


def load_weights(model, tensors):
    """Copy numpy float32 arrays {name: array} into the module (strict)."""
    state = {name: torch.from_numpy(arr.copy()) for name, arr in tensors.items()}
    model.load_state_dict(state, strict=True)
    return model.eval()

# Native reference for the workloads: PyTorch CPU (torch.nn.LSTM/GRU/RNN, float32) on one thread
# (torch.set_num_threads(1) and threadpoolctl limit 1), forward under no_grad for W1–W5 and
# forward+backward of output·dy (all gradients, input included) for W7; median ms. W6 is torch_lm.py.
import torch
from threadpoolctl import threadpool_limits

from timing import median_seconds, pools

# id: (cell, T, B, I, H, layers, bidirectional, training) — as bench/workloads.js
WORKLOADS = {
    "W1": ("lstm", 128, 1, 64, 256, 1, False, False),
    "W2": ("lstm", 128, 32, 64, 256, 1, False, False),
    "W3": ("gru", 128, 32, 64, 256, 1, False, False),
    "W4": ("lstm", 64, 16, 128, 256, 2, True, False),
    "W5": ("rnn", 128, 32, 64, 256, 1, False, False),
    "W7": ("lstm", 64, 32, 64, 256, 1, False, True),
}
CELLS = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}


def body(cell, T, B, I, H, layers, bidirectional, training):
    layer = CELLS[cell](I, H, num_layers=layers, bidirectional=bidirectional)
    x = torch.rand(T, B, I) * 2 - 1
    if not training:
        def forward():
            with torch.no_grad():
                layer(x)
        return forward
    x.requires_grad_(True)
    dy = torch.rand(T, B, (2 if bidirectional else 1) * H) * 2 - 1

    def forward_backward():
        layer.zero_grad()
        x.grad = None
        out, _ = layer(x)
        out.backward(dy)
    return forward_backward


torch.manual_seed(0)
torch.set_num_threads(1)
with threadpool_limits(limits=1):
    print(f"torch {torch.__version__}, torch threads {torch.get_num_threads()}; {pools()}")
    for wid, spec in WORKLOADS.items():
        print(f"torch {wid} {'forward+backward' if spec[-1] else 'forward'}: {median_seconds(body(*spec)) * 1e3:.2f} ms")

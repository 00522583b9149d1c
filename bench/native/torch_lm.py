# Native reference for W6: one training step of a character-level LSTM language model in PyTorch CPU
# (float32) on one thread (torch.set_num_threads(1) and threadpoolctl limit 1): nn.Embedding →
# nn.LSTM → nn.Linear over the vocabulary, cross-entropy summed over all steps and divided by the
# batch (as wasm-rnn's LanguageModel), backward, Adam; random token ids in [4, V); median ms per step.
import torch
from threadpoolctl import threadpool_limits

from timing import median_seconds, pools

V, E, H, T, B, LR = 65, 64, 256, 64, 32, 2e-3  # as W6 in bench/workloads.js
FIRST_ORDINARY_TOKEN = 4  # ids 0–3 are the tokenizer's special tokens; 0 is padding


class LanguageModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(V, E, padding_idx=0)
        self.rnn = torch.nn.LSTM(E, H)
        self.fc = torch.nn.Linear(H, V)

    def forward(self, ids):  # time-major [T, B] → logits [T, B, V]
        out, _ = self.rnn(self.embedding(ids))
        return self.fc(out)


torch.manual_seed(0)
torch.set_num_threads(1)
model = LanguageModel()
optimizer = torch.optim.Adam(model.parameters(), lr=LR)
cross_entropy = torch.nn.CrossEntropyLoss(reduction="sum")
inputs = torch.randint(FIRST_ORDINARY_TOKEN, V, (T, B))
targets = torch.randint(FIRST_ORDINARY_TOKEN, V, (T, B))


def step():
    optimizer.zero_grad()
    loss = cross_entropy(model(inputs).reshape(-1, V), targets.reshape(-1)) / B
    loss.backward()
    optimizer.step()


with threadpool_limits(limits=1):
    print(f"torch {torch.__version__}, torch threads {torch.get_num_threads()}; {pools()}")
    ms = median_seconds(step, warmup=3, runs=21) * 1e3
    print(f"torch W6 LM training step (V{V} E{E} H{H} T{T} B{B}, Adam): {ms:.2f} ms/step = {T * B / ms * 1e3:.0f} tokens/s")

# SPDX-License-Identifier: MIT
"""Regenerates the checkpoints bundled with Checkpoint Studio.

example_training_checkpoint.pt: a small residual CNN after two real Adam steps, saved the way training
scripts save: model state, optimizer state, epoch, the run's argparse.Namespace and a metric.
example_finetuned.pt: the same model fine-tuned for 20 more steps with stem and blocks.0 frozen (as the
bundled frozen_layers.json says), saved as a bare state_dict: the example for the diff window.
example_new_task.pt: a new, deeper model for another task (the target of the transplant example).
Run with /usr/bin/python3.
"""

import argparse
import os

import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.norm1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.norm2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        y = torch.relu(self.norm1(self.conv1(x)))
        return torch.relu(x + self.norm2(self.conv2(y)))


class TinyResNet(nn.Module):
    def __init__(self, classes=10, channels=16, blocks=2):
        super().__init__()
        self.stem = nn.Conv2d(3, channels, 3, padding=1)
        self.blocks = nn.Sequential(*[Block(channels) for _ in range(blocks)])
        self.head = nn.Linear(channels, classes)

    def forward(self, x):
        return self.head(self.blocks(torch.relu(self.stem(x))).mean((2, 3)))


def train(model, opt, steps, batch_size):
    for _ in range(steps):
        x = torch.randn(batch_size, 3, 16, 16)
        y = torch.randint(0, 10, (batch_size,))
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()


def main():
    torch.manual_seed(0)
    model = TinyResNet()
    args = argparse.Namespace(lr=1e-3, batch_size=8, epochs=2, arch="TinyResNet", seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    train(model, opt, 2, args.batch_size)
    checkpoint = {
        "epoch": args.epochs,
        "model_state": model.state_dict(),
        "optimizer_state": opt.state_dict(),
        "args": args,
        "best_accuracy": 0.4375,
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "example_training_checkpoint.pt")
    torch.save(checkpoint, out)
    print(out, os.path.getsize(out), "bytes")

    # Fine-tuning: the frozen layers keep their weights and, in eval mode, their BatchNorm statistics.
    for p in list(model.stem.parameters()) + list(model.blocks[0].parameters()):
        p.requires_grad_(False)
    model.train()
    model.blocks[0].eval()
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    train(model, opt, 20, args.batch_size)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "example_finetuned.pt")
    torch.save(model.state_dict(), out)
    print(out, os.path.getsize(out), "bytes")

    # A new model for another task, freshly initialised: one block deeper and 5 classes. Transplanting the
    # training checkpoint into it copies the stem and the first two blocks; the head does not fit.
    torch.manual_seed(1)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "example_new_task.pt")
    torch.save(TinyResNet(classes=5, blocks=3).state_dict(), out)
    print(out, os.path.getsize(out), "bytes")


if __name__ == "__main__":
    main()
